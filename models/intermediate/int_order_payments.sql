{{config materialized="ephemeral"}}
-- Successful payments rolled up per order. Ephemeral: inlined as a CTE into fct_orders.
select
    order_id,
    count(*) as payment_count,
    count(distinct payment_method) as payment_method_count,
    sum(amount_cents) as paid_cents,
    sum(amount) as paid_amount,
    max(paid_at) as last_paid_at,
    bool_or(payment_method = 'gift_card') as used_gift_card
from {{ref "stg_payments"}}
where status = 'success'
group by order_id
