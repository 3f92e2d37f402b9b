select count(*) from read_csv('/project/seeds/country_codes.csv', header=true, skip=0, delim=',', quote='"', escape='"', strict_mode=true, null_padding=false, store_rejects=true);

select line, column_name, error_type, csv_line, error_message from reject_errors where scan_id = (select max(scan_id) from reject_scans) order by line limit 5;
