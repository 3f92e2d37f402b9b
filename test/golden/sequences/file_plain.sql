-- files: prepare path /project/exports/.orders.parquet.etlx-tmp-0123abcd

-- execute (copy, rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
) to '/project/exports/.orders.parquet.etlx-tmp-0123abcd' (format parquet);

-- files: replace /project/exports/orders.parquet from /project/exports/.orders.parquet.etlx-tmp-0123abcd

-- outcome: {"rows":5}
