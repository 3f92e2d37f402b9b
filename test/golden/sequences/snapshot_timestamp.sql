-- exists snapshots.customers -> table

-- execute (stage)
create or replace temp table "etlx_snapshot_customers" as
select id, name, updated_at from "crm"."customers";

-- query -> 0 rows
select "id", count(*) as n from "etlx_snapshot_customers" group by "id" having count(*) > 1 order by n desc limit 5;

-- columns of snapshots.customers -> id BIGINT, name VARCHAR, updated_at TIMESTAMP, dbt_scd_id VARCHAR, dbt_updated_at TIMESTAMP, dbt_valid_from TIMESTAMP, dbt_valid_to TIMESTAMP

-- columns of temp.etlx_snapshot_customers -> id BIGINT, name VARCHAR, updated_at TIMESTAMP

-- begin transaction

-- execute (merge, rows_affected)
update "snapshots"."customers" as h
set "dbt_valid_to" = s."updated_at"
from "etlx_snapshot_customers" as s
where h."id" = s."id" and h."dbt_valid_to" is null
  and (h."dbt_valid_from" < s."updated_at");

-- execute (insert, rows_affected)
insert into "snapshots"."customers" ("id", "name", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")
select s."id", s."name", s."updated_at", md5(concat_ws('|', coalesce(cast(s."id" as varchar), ''), coalesce(cast(s."updated_at" as varchar), ''))), s."updated_at", s."updated_at", null
from "etlx_snapshot_customers" as s
where not exists (select 1 from "snapshots"."customers" as h where h."id" = s."id" and h."dbt_valid_to" is null);

-- commit

-- execute (cleanup)
drop table if exists "etlx_snapshot_customers";

-- outcome: {"rows":3}
