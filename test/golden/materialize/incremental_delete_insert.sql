-- transactional: true

-- delete
delete from "analytics"."orders" as target using temp.main."etlx_new_orders" as source
where target."id" is not distinct from source."id";

-- insert (rows_affected)
insert into "analytics"."orders" ("id", "customer_id", "amount")
select "id", "customer_id", "amount" from temp.main."etlx_new_orders";
