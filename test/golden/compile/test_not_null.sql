select *
from "marts"."orders_table" as model
where "order_id" is null
