select model."customer_id" as from_field
from "marts"."orders_table" as model
left join "main"."customers" as parent on model."customer_id" = parent."customer_id"
where model."customer_id" is not null and parent."customer_id" is null
