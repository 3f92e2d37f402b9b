-- One row per payment attempt (failed attempts included; filter on status = 'success').
select
    payment_id,
    order_id,
    lower(payment_method) as payment_method,
    lower(status) as status,
    amount_cents,
    {{> cents_to_dollars column="amount_cents"}} as amount,
    cast(paid_at as timestamp) as paid_at
from {{source "shop" "payments"}}
