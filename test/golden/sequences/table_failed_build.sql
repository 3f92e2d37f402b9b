-- exists analytics.orders -> table

-- execute (create, rows_affected)
create or replace table "analytics"."orders" as
select id, customer_id, amount, updated_at
from "staging"."orders";

-- ! the engine rejects it

-- fails: Conversion Error: scripted failure
