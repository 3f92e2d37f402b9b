-- query -> 0 rows
select count(*) as n from (select 1 from read_csv('/project/seeds/country_codes.csv', header=true, skip=0, delim=',', quote='"', escape='"', strict_mode=true, null_padding=false) limit 1);

-- query -> 0 rows
select count(*) as n from read_csv('/project/seeds/country_codes.csv', header=false, skip=0, delim=',', quote='"', escape='"', strict_mode=true, null_padding=false, all_varchar=true);

-- execute (create, rows_affected)
create or replace table "main"."country_codes" as
select * from read_csv('/project/seeds/country_codes.csv', header=true, skip=0, delim=',', quote='"', escape='"', strict_mode=true, null_padding=false);

-- outcome: {"rows":3}
