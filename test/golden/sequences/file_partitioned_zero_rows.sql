-- files: prepare path /project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd

-- execute (copy, rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
) to '/project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd' (format parquet, partition_by ("order_month"));

-- files: prepare folder /project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd

-- execute (copy)
copy (select * from (
select id, customer_id, amount, updated_at
from "staging"."orders"
) limit 0) to '/project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd/empty.parquet' (format parquet);

-- files: replace /project/exports/orders from /project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd

-- outcome: {"rows":0}
