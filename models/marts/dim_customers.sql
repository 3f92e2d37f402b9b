-- One row per customer: profile, country and order history.
with customer_orders as (
    select
        customer_id,
        count(*) as order_count,
        min(ordered_at) as first_order_at,
        max(ordered_at) as most_recent_order_at
    from {{ref "stg_orders"}}
    where status <> 'cancelled'
    group by customer_id
)

select
    c.customer_id,
    c.full_name,
    c.email,
    c.country_code,
    cc.country_name,
    cc.region,
    c.segment,
    c.signup_date,
    o.first_order_at,
    o.most_recent_order_at,
    coalesce(o.order_count, 0) as order_count,
    case
        when coalesce(o.order_count, 0) = 0 then 'prospect'
        when o.order_count = 1 then 'one_time'
        else 'repeat'
    end as customer_type
from {{ref "stg_customers"}} as c
left join {{ref "country_codes"}} as cc on cc.country_code = c.country_code
left join customer_orders as o on o.customer_id = c.customer_id
