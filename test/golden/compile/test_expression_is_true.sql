select *
from "marts"."orders_table" as model
where not coalesce((paid <= amount * 2), false)
