-- exists snapshots.customers -> table

-- execute (stage)
create or replace temp table "etlx_snapshot_customers" as
select id, name, updated_at from "crm"."customers";

-- query -> 1 row
select "id", count(*) as n from "etlx_snapshot_customers" group by "id" having count(*) > 1 order by n desc limit 5;

-- execute (cleanup)
drop table if exists "etlx_snapshot_customers";

-- fails: {"code":"E_SNAPSHOT_DUPLICATE_KEY","message":"duplicate unique_key values in the source rows of snapshot customers: id=7 (2 rows)","hint":"make id unique in the snapshot's SELECT; \"snapshots\".\"customers\" was left unchanged"}
