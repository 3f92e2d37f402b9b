-- transactional: false

-- copy (rows_affected)
copy (
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0
) to '/project/exports/.orders.etlx-tmp-0123abcd' (format parquet, partition_by ("order_month", "region"));
