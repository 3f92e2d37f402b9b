-- files: prepare path /project/exports/.orders.etlx-tmp-0123abcd

-- execute (copy, rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
) to '/project/exports/.orders.etlx-tmp-0123abcd' (format parquet, partition_by ("order_month"));

-- files: replace /project/exports/orders from /project/exports/.orders.etlx-tmp-0123abcd

-- outcome: {"rows":5}
