-- files: prepare folder /project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd

-- files: /project/exports/orders has files -> true

-- execute (copy, rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
where updated_at > (select max(updated_at) from "analytics"."orders")
) to '/project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd/20240101120000_0123abcd.parquet' (format parquet);

-- files: add /project/exports/orders from /project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd

-- outcome: {"rows":2,"verb":"appended to"}
