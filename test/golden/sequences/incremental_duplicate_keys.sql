-- exists analytics.orders -> table

-- execute (stage, rows_affected)
create or replace temp table temp.main."etlx_new_orders" as
select id, customer_id, amount, updated_at
from "staging"."orders"
where updated_at > (select max(updated_at) from "analytics"."orders");

-- query -> 1 row
select "id", count(*) as n from temp.main."etlx_new_orders" group by "id" having count(*) > 1 order by n desc limit 5;

-- execute (cleanup)
drop table if exists temp.main."etlx_new_orders";

-- fails: {"code":"E_DUPLICATE_KEY","message":"duplicate unique_key values in the new rows of orders: id=7 (2 rows)","hint":"make id unique in the model's SELECT (e.g. qualify row_number() over (partition by id order by ...) = 1); \"analytics\".\"orders\" was left unchanged"}
