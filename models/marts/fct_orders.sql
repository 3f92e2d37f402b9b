-- One row per order, with its product category and what was actually paid.
-- Revenue counts orders that are placed, shipped or completed (not cancelled, not returned).
with orders as (
    select * from {{ref "stg_orders"}}
),

payments as (
    select * from {{ref "int_order_payments"}}
)

select
    orders.order_id,
    orders.customer_id,
    orders.product_id,
    products.category as product_category,
    orders.quantity,
    orders.status,
    orders.ordered_at,
    orders.order_date,
    orders.order_month,
    orders.amount_cents,
    orders.subtotal,
    orders.shipping,
    orders.amount,
    coalesce(payments.paid_amount, 0) as paid_amount,
    coalesce(payments.payment_count, 0) as payment_count,
    coalesce(payments.used_gift_card, false) as used_gift_card,
    orders.status in ('placed', 'shipped', 'completed') as is_revenue
from orders
left join payments on payments.order_id = orders.order_id
left join {{ref "dim_products"}} as products on products.product_id = orders.product_id
