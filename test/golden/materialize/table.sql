-- transactional: false

-- create (rows_affected)
create or replace table "analytics"."orders" as
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0;
