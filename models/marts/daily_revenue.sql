-- One row per day with orders.
select
    order_date,
    order_month,
    count(*) as order_count,
    count(*) filter (where is_revenue) as revenue_orders,
    count(*) filter (where status = 'cancelled') as cancelled_orders,
    coalesce(sum(amount) filter (where is_revenue), 0) as gross_revenue,
    round(coalesce(avg(amount) filter (where is_revenue), 0), 2) as average_order_value
from {{ref "fct_orders"}}
group by order_date, order_month
