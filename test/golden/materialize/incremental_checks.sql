select "id", "day", count(*) as n from temp.main."etlx_new_orders" group by "id", "day" having count(*) > 1 order by n desc limit 5;

select column_name as name, data_type as type from information_schema.columns where table_catalog = current_database() and table_schema = 'analytics' and table_name = 'orders' order by ordinal_position;

select column_name as name, data_type as type from information_schema.columns where table_catalog = 'temp' and table_name = 'etlx_new_orders' order by ordinal_position;

drop table if exists temp.main."etlx_new_orders";
