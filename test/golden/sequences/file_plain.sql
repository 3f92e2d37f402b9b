-- files: prepare path /project/.etlx-outputs/staging/orders.parquet-c24eb3ae8e.tmp-0123abcd

-- execute (copy, rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
) to '/project/.etlx-outputs/staging/orders.parquet-c24eb3ae8e.tmp-0123abcd' (format parquet);

-- files: replace /project/exports/orders.parquet from /project/.etlx-outputs/staging/orders.parquet-c24eb3ae8e.tmp-0123abcd

-- outcome: {"rows":5}
