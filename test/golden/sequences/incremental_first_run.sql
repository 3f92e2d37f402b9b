-- exists analytics.orders -> no

-- execute (create, rows_affected)
create or replace table "analytics"."orders" as
select id, customer_id, amount, updated_at
from "staging"."orders";

-- outcome: {"rows":3}
