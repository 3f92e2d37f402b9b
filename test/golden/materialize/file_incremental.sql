-- transactional: false

-- copy (rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0
) to '/project/exports/.orders.etlx-tmp-0123abcd/20240101120000_0123abcd.parquet' (format parquet);
