-- files: prepare path /project/exports/.orders.parquet.etlx-tmp-0123abcd

-- execute (copy, rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
) to '/project/exports/.orders.parquet.etlx-tmp-0123abcd' (format parquet);

-- ! the engine rejects it

-- files: discard /project/exports/.orders.parquet.etlx-tmp-0123abcd

-- fails: Conversion Error: scripted failure
