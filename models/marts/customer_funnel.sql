-- Per customer: sessions and how far down the funnel they went.
with customer_events as (
    select
        customer_id,
        count(distinct session_id) as sessions,
        count(*) filter (where event_type = 'product_view') as product_views,
        count(*) filter (where event_type = 'add_to_cart') as add_to_carts,
        count(*) filter (where event_type = 'checkout') as checkouts,
        count(*) filter (where is_purchase) as purchases,
        max(event_at) as last_seen_at
    from {{ref "fct_events"}}
    group by customer_id
)

select
    customers.customer_id,
    customers.segment,
    coalesce(e.sessions, 0) as sessions,
    coalesce(e.product_views, 0) as product_views,
    coalesce(e.add_to_carts, 0) as add_to_carts,
    coalesce(e.checkouts, 0) as checkouts,
    coalesce(e.purchases, 0) as purchases,
    round(coalesce(e.purchases, 0) / nullif(e.sessions, 0), 4) as session_conversion_rate,
    e.last_seen_at
from {{ref "dim_customers"}} as customers
left join customer_events as e on e.customer_id = customers.customer_id
