-- query (recorded) -> 1 row
select count(*) as failures from (
select *
from "analytics"."orders" as model
where "id" is null
) as etlx_failures;

-- execute (create)
create or replace table "etlx_test_failures"."not_null_orders_id" as
select *
from "analytics"."orders" as model
where "id" is null;

-- query -> 1 row
select columns(*)::varchar from (
select *
from "analytics"."orders" as model
where "id" is null
) limit 5;

-- outcome: {"test":{"status":"fail","failures":1,"message":"1 failing row, stored in etlx_test_failures.not_null_orders_id (models/schema.yml:12)","sample":{"columns":["id","amount"],"rows":[["NULL","3.50"]]}}}
