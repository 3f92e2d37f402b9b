-- query -> 0 rows
select count(*) as n from (select 1 from read_csv('/project/seeds/country_codes.csv', header=true, skip=0, delim=',', quote='"', escape='"', strict_mode=true, null_padding=false) limit 1);

-- query -> 0 rows
select count(*) as n from read_csv('/project/seeds/country_codes.csv', header=false, skip=0, delim=',', quote='"', escape='"', strict_mode=true, null_padding=false, all_varchar=true);

-- execute (create, rows_affected)
create or replace table "main"."country_codes" as
select * from read_csv('/project/seeds/country_codes.csv', header=true, skip=0, delim=',', quote='"', escape='"', strict_mode=true, null_padding=false);

-- ! the engine rejects it

-- query -> 0 rows
select count(*) from read_csv('/project/seeds/country_codes.csv', header=true, skip=0, delim=',', quote='"', escape='"', strict_mode=true, null_padding=false, store_rejects=true);

-- query -> 1 row
select line, column_name, error_type, csv_line, error_message from reject_errors where scan_id = (select max(scan_id) from reject_scans) order by line limit 5;

-- fails: {"code":"E_SEED_LOAD","message":"seeds/country_codes.csv:4: too many columns: Expected Number of Columns: 2 Found: 3\n  line: FI,Finland,extra","hint":"fix that line of the CSV (quote fields that contain the delimiter), or set column_types for the seed","file":"seeds/country_codes.csv","line":4}
