-- transactional: false

-- hook
insert into audit.log values ('start', now());

-- copy (rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0
) to '/project/exports/.orders.csv.etlx-tmp-0123abcd' (format csv, delimiter '|', header true);

-- hook
analyze "analytics"."orders";

-- hook
insert into audit.log values ('end', now());
