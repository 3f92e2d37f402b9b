-- transactional: false

-- hook
insert into audit.log values ('start', now());

-- stage (rows_affected)
create or replace temp table temp.main."etlx_new_orders" as
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0;
