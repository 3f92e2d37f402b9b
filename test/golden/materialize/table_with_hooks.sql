-- transactional: true

-- hook
insert into audit.log values ('start', now());

-- create (rows_affected)
create or replace table "analytics"."orders" as
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0;

-- hook
analyze "analytics"."orders";

-- hook
insert into audit.log values ('end', now());
