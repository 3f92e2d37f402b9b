-- transactional: true

-- insert (rows_affected)
insert into "analytics"."orders" ("id", "customer_id", "amount")
select "id", "customer_id", "amount" from temp.main."etlx_new_orders";
