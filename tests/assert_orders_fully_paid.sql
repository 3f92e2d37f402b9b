-- Every order that was not cancelled is paid in full by its successful payments.
select
    order_id,
    status,
    amount,
    paid_amount
from {{ref "fct_orders"}}
where status <> 'cancelled'
  and paid_amount <> amount
