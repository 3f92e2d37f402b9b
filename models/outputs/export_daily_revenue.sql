{{config materialized="file" format="parquet" location="exports/daily_revenue" partition_by="order_month"}}
-- Daily revenue written as Parquet under exports/daily_revenue/order_month=YYYY-MM/ for the finance team.
select
    order_month,
    order_date,
    order_count,
    revenue_orders,
    cancelled_orders,
    gross_revenue,
    average_order_value
from {{ref "daily_revenue"}}
