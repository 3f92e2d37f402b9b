select "status" as value_field, count(*) as n_records
from (select * from "marts"."orders_table" where ordered_at >= '2024-01-01') as model
where "status" is not null and "status" not in ('placed', 'shipped', 'completed')
group by "status"
