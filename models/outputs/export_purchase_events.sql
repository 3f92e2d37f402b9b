{{config materialized="file" format="parquet" location="exports/purchase_events" partition_by="event_month" incremental_strategy="append"}}
-- Purchase events for the marketing team, as Parquet partitioned by month. Incremental: each run
-- adds files with only the events newer than the newest already exported; old files stay as
-- they are.
select
    event_id,
    event_at,
    customer_id,
    product_id,
    device,
    strftime(event_at, '%Y-%m') as event_month
from {{ref "fct_events"}}
where is_purchase
{{#if is_incremental}}
  and event_at > (select max(event_at) from {{self}})
{{/if}}
