-- One row per clickstream event since the start_date var.
select
    event_id,
    event_at,
    cast(event_at as date) as event_date,
    customer_id,
    session_id,
    event_type,
    product_id,
    device
from {{source "shop" "events"}}
where event_at >= timestamp '{{var "start_date"}}'
