-- transactional: false

-- copy (rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0
) to '/project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd' (format parquet, partition_by ("order_month", "region"));
