-- files: prepare path /project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd

-- execute (copy, rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
) to '/project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd' (format parquet, partition_by ("order_month"));

-- files: replace /project/exports/orders from /project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd

-- outcome: {"rows":5}
