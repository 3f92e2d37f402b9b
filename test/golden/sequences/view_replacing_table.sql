-- exists analytics.orders -> table

-- begin transaction

-- execute (drop)
drop table "analytics"."orders";

-- execute (create)
create view "analytics"."orders" as
select id, customer_id, amount, updated_at
from "staging"."orders";

-- commit

-- outcome: {}
