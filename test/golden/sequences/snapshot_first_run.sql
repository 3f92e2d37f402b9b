-- exists snapshots.customers -> no

-- execute (stage)
create or replace temp table "etlx_snapshot_customers" as
select id, name, updated_at from "crm"."customers";

-- query -> 0 rows
select "id", count(*) as n from "etlx_snapshot_customers" group by "id" having count(*) > 1 order by n desc limit 5;

-- begin transaction

-- execute (create, rows_affected)
create table "snapshots"."customers" as
select s.*,
  md5(concat_ws('|', coalesce(cast(s."id" as varchar), ''), coalesce(cast(s."updated_at" as varchar), ''))) as "dbt_scd_id",
  s."updated_at" as "dbt_updated_at",
  s."updated_at" as "dbt_valid_from",
  nullif(s."updated_at", s."updated_at") as "dbt_valid_to"
from "etlx_snapshot_customers" as s;

-- commit

-- execute (cleanup)
drop table if exists "etlx_snapshot_customers";

-- outcome: {"rows":3}
