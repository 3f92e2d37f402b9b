-- exists analytics.orders -> table

-- execute (stage, rows_affected)
create or replace temp table temp.main."etlx_new_orders" as
select id, customer_id, amount, updated_at
from "staging"."orders"
where updated_at > (select max(updated_at) from "analytics"."orders");

-- columns of analytics.orders -> id BIGINT, customer_id BIGINT, amount DECIMAL(18,2), updated_at TIMESTAMP

-- columns of temp.etlx_new_orders -> id BIGINT, customer_id BIGINT, amount DECIMAL(18,2), updated_at TIMESTAMP

-- begin transaction

-- execute (insert, rows_affected)
insert into "analytics"."orders" ("id", "customer_id", "amount", "updated_at")
select "id", "customer_id", "amount", "updated_at" from temp.main."etlx_new_orders";

-- commit

-- execute (cleanup)
drop table if exists temp.main."etlx_new_orders";

-- outcome: {"rows":2,"verb":"appended to"}
