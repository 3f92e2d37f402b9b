-- transactional: false

-- hook
insert into audit.log values ('start', now());

-- copy (rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0
) to '/project/.etlx-outputs/staging/orders.csv-2f017111a2.tmp-0123abcd' (format csv, delimiter '|', header true);

-- hook
analyze "analytics"."orders";

-- hook
insert into audit.log values ('end', now());
