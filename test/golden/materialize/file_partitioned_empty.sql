copy (select * from (
select id, customer_id, amount, updated_at
from "staging"."orders"
where amount > 0
) limit 0) to '/project/.etlx-outputs/staging/orders-f74cc89c91.tmp-0123abcd/empty.parquet' (format parquet);
