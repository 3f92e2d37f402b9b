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

-- execute (cleanup)
drop table if exists temp.main."etlx_new_orders";

-- fails: {"code":"E_SCHEMA_CHANGE","message":"orders: the new rows' columns differ from \"analytics\".\"orders\": added discount; removed amount (on_schema_change: fail). Set on_schema_change to append_new_columns or sync_all_columns, or run with --full-refresh"}
