-- transactional: false

-- copy (rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0
) to '/project/.etlx-outputs/staging/orders.json-afa0888d6a.tmp-0123abcd' (format json);
