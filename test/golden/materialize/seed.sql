-- transactional: false

-- create (rows_affected)
create or replace table "main"."country_codes" as
select * from read_csv('/project/seeds/country_codes.csv', header=true, skip=0, delim=',', quote='"', escape='"', strict_mode=true, null_padding=false);
