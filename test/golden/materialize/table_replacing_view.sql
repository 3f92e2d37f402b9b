-- transactional: true

-- drop
drop view "analytics"."orders";

-- create (rows_affected)
create table "analytics"."orders" as
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0;
