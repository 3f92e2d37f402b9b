-- exists analytics.orders -> table

-- execute (stage, rows_affected)
create or replace temp table temp.main."etlx_new_orders" as
select id, customer_id, amount, updated_at
from "staging"."orders"
where updated_at > (select max(updated_at) from "analytics"."orders");

-- query -> 0 rows
select "id", count(*) as n from temp.main."etlx_new_orders" group by "id" having count(*) > 1 order by n desc limit 5;

-- columns of analytics.orders -> id BIGINT, customer_id BIGINT, amount DECIMAL(18,2), updated_at TIMESTAMP

-- columns of temp.etlx_new_orders -> id BIGINT, customer_id BIGINT, updated_at TIMESTAMP, discount DOUBLE

-- begin transaction

-- execute (merge, rows_affected)
merge into "analytics"."orders" as target
using (select "id", "customer_id", "updated_at" from temp.main."etlx_new_orders") as source
on (target."id" is not distinct from source."id")
when matched then update set "customer_id" = source."customer_id", "updated_at" = source."updated_at"
when not matched then insert ("id", "customer_id", "updated_at") values (source."id", source."customer_id", source."updated_at");

-- commit

-- execute (cleanup)
drop table if exists temp.main."etlx_new_orders";

-- outcome: {"rows":2,"verb":"merged into"}
