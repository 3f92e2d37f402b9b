-- exists snapshots.customers -> table

-- execute (stage)
create or replace temp table "etlx_snapshot_customers" as
select id, name, updated_at from "crm"."customers";

-- query -> 0 rows
select "id", count(*) as n from "etlx_snapshot_customers" group by "id" having count(*) > 1 order by n desc limit 5;

-- columns of snapshots.customers -> id BIGINT, name VARCHAR, updated_at TIMESTAMP, dbt_scd_id VARCHAR, dbt_updated_at TIMESTAMP, dbt_valid_from TIMESTAMP, dbt_valid_to TIMESTAMP, dbt_is_deleted BOOLEAN

-- columns of temp.etlx_snapshot_customers -> id BIGINT, name VARCHAR, updated_at TIMESTAMP

-- begin transaction

-- execute (merge, rows_affected)
update "snapshots"."customers" as h
set "dbt_valid_to" = s."updated_at"
from "etlx_snapshot_customers" as s
where h."id" = s."id" and h."dbt_valid_to" is null
  and (h."dbt_valid_from" < s."updated_at" or h."dbt_is_deleted");

-- execute (insert, rows_affected)
insert into "snapshots"."customers" ("id", "name", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_is_deleted")
select s."id", s."name", s."updated_at", md5(concat_ws('|', coalesce(cast(s."id" as varchar), ''), coalesce(cast(s."updated_at" as varchar), ''))), s."updated_at", s."updated_at", null, false
from "etlx_snapshot_customers" as s
where not exists (select 1 from "snapshots"."customers" as h where h."id" = s."id" and h."dbt_valid_to" is null);

-- execute (insert, rows_affected)
insert into "snapshots"."customers" ("id", "name", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_is_deleted")
select h."id", h."name", h."updated_at", md5(concat_ws('|', coalesce(cast(h."id" as varchar), ''), coalesce(cast(cast(now() as timestamp) as varchar), ''))), cast(now() as timestamp), cast(now() as timestamp), null, true
from "snapshots"."customers" as h
where h."dbt_valid_to" is null and not exists (select 1 from "etlx_snapshot_customers" as s where h."id" = s."id") and not coalesce(h."dbt_is_deleted", false);

-- execute (delete, rows_affected)
update "snapshots"."customers" as h
set "dbt_valid_to" = cast(now() as timestamp)
where h."dbt_valid_to" is null and not exists (select 1 from "etlx_snapshot_customers" as s where h."id" = s."id") and not coalesce(h."dbt_is_deleted", false);

-- commit

-- execute (cleanup)
drop table if exists "etlx_snapshot_customers";

-- outcome: {"rows":6}
