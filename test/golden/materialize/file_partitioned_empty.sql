copy (select * from (
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0
) limit 0) to '/project/exports/.orders.etlx-tmp-0123abcd/empty.parquet' (format parquet);
