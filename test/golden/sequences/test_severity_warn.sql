-- query (recorded) -> 1 row
select count(*) as failures from (
select *
from "analytics"."orders" as model
where "id" is null
) as etlx_failures;

-- query -> 1 row
select columns(*)::varchar from (
select *
from "analytics"."orders" as model
where "id" is null
) limit 5;

-- outcome: {"test":{"status":"warn","failures":1,"message":"1 failing row (models/schema.yml:12)","sample":{"columns":["id","amount"],"rows":[["NULL","3.50"]]}}}
