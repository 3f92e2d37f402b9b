-- daily_revenue adds up to the revenue in fct_orders (returns a row when they differ).
with daily as (
    select sum(gross_revenue) as total, sum(order_count) as orders from {{ref "daily_revenue"}}
),

facts as (
    select coalesce(sum(amount) filter (where is_revenue), 0) as total, count(*) as orders from {{ref "fct_orders"}}
)

select
    daily.total as daily_revenue_total,
    facts.total as fct_orders_total,
    daily.orders as daily_order_count,
    facts.orders as fct_order_count
from daily, facts
where daily.total <> facts.total
   or daily.orders <> facts.orders
