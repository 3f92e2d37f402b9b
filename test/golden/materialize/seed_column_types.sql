-- transactional: true

-- hook
insert into audit.log values ('start', now());

-- create (rows_affected)
create or replace table "ref"."country_codes" as
select * from read_csv('/project/seeds/country_codes.csv', header=true, skip=0, delim=';', quote='"', escape='"', strict_mode=true, null_padding=false, types={'code': 'varchar', 'population': 'bigint'});
