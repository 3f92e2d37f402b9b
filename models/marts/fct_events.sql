{{config materialized="incremental" unique_key="event_id" incremental_strategy="merge"}}
-- Clickstream facts, loaded incrementally: later runs only add events newer than the newest one loaded.
select
    event_id,
    event_at,
    event_date,
    customer_id,
    session_id,
    event_type,
    product_id,
    device,
    event_type = 'purchase' as is_purchase
from {{ref "stg_events"}}
{{#if is_incremental}}
where event_at > (select max(event_at) from {{self}})
{{/if}}
