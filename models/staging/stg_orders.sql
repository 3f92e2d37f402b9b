-- One row per order since the start_date var. order_month is the hive partition column.
select
    order_id,
    customer_id,
    product_id,
    quantity,
    lower(status) as status,
    ordered_at,
    cast(ordered_at as date) as order_date,
    order_month,
    subtotal_cents,
    shipping_cents,
    amount_cents,
    {{> cents_to_dollars column="subtotal_cents"}} as subtotal,
    {{> cents_to_dollars column="shipping_cents"}} as shipping,
    {{> cents_to_dollars column="amount_cents"}} as amount
from {{source "shop" "orders"}}
where ordered_at >= date '{{var "start_date"}}'
