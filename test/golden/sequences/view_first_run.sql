-- exists analytics.orders -> no

-- execute (create)
create or replace view "analytics"."orders" as
select id, customer_id, amount, updated_at
from "staging"."orders";

-- outcome: {}
