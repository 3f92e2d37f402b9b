-- Lifetime revenue per customer, and successful payments pivoted per payment method
-- (one <method>_amount column for each entry of the payment_methods var).
with revenue as (
    select
        customer_id,
        count(*) filter (where is_revenue) as revenue_orders,
        coalesce(sum(amount) filter (where is_revenue), 0) as lifetime_revenue
    from {{ref "fct_orders"}}
    group by customer_id
),

payments_by_method as (
    select
        orders.customer_id,
        {{#each (var "payment_methods")}}
        sum(case when payments.payment_method = '{{this}}' then payments.amount else 0 end) as {{this}}_amount{{#unless @last}},{{/unless}}
        {{/each}}
    from {{ref "stg_payments"}} as payments
    join {{ref "fct_orders"}} as orders on orders.order_id = payments.order_id
    where payments.status = 'success'
    group by orders.customer_id
)

select
    customers.customer_id,
    customers.full_name,
    customers.segment,
    customers.region,
    coalesce(revenue.revenue_orders, 0) as revenue_orders,
    coalesce(revenue.lifetime_revenue, 0) as lifetime_revenue,
    {{#each (var "payment_methods")}}
    coalesce(payments_by_method.{{this}}_amount, 0) as {{this}}_amount,
    {{/each}}
    rank() over (order by coalesce(revenue.lifetime_revenue, 0) desc) as revenue_rank
from {{ref "dim_customers"}} as customers
left join revenue on revenue.customer_id = customers.customer_id
left join payments_by_method on payments_by_method.customer_id = customers.customer_id
