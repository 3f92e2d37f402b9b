-- exists analytics.orders -> no

-- begin transaction

-- execute (hook)
set threads = 2;

-- execute (create)
create or replace view "analytics"."orders" as
select id, customer_id, amount, updated_at
from "staging"."orders";

-- execute (hook)
analyze "analytics"."orders";

-- commit

-- outcome: {}
