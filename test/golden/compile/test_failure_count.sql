select count(*) as failures from (
select *
from "marts"."orders_table" as model
where "order_id" is null
) as etlx_failures
