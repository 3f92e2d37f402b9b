with "__etlx_cte__int_payments" as (

select order_id, sum(amount) as paid
from read_csv('/virtual/proj/staging/payments.csv', header=true)
where method in ('card', 'paypal')
group by order_id
),
"__etlx_cte__int_orders_paid" as (

select o.*, coalesce(p.paid, 0) as paid
from "staging"."stg_orders" as o
left join "__etlx_cte__int_payments" as p using (order_id)
)
select * from (
select *
from "__etlx_cte__int_orders_paid" as model
where "paid" is null
)
