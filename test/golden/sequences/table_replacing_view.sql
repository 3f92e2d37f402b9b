-- exists analytics.orders -> view

-- begin transaction

-- execute (drop)
drop view "analytics"."orders";

-- execute (create, rows_affected)
create table "analytics"."orders" as
select id, customer_id, amount, updated_at
from "staging"."orders";

-- commit

-- outcome: {"rows":3}
