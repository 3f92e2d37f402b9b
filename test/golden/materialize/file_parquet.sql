-- transactional: false

-- copy (rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0
) to '/project/.etlx-outputs/staging/orders.parquet-c24eb3ae8e.tmp-0123abcd' (format parquet);
