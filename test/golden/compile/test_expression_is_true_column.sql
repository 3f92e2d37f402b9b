select *
from "marts"."orders_table" as model
where not coalesce(("amount" >= 0), false)
