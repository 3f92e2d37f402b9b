-- transactional: true

-- hook
insert into audit.log values ('start', now());

-- create
create or replace view "analytics"."orders" as
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0;

-- hook
analyze "analytics"."orders";

-- hook
insert into audit.log values ('end', now());
