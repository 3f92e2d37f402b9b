-- query (recorded) -> 1 row
select count(*) as failures from (
select *
from "analytics"."orders" as model
where "id" is null
) as etlx_failures;

-- outcome: {"test":{"status":"pass","failures":0}}
