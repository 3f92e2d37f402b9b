-- transactional: true

-- alter
alter table "analytics"."orders" add column "updated_at" TIMESTAMP;

-- alter
alter table "analytics"."orders" drop column "legacy_flag";

-- delete
delete from "analytics"."orders" as target using temp.main."etlx_new_orders" as source
where target."id" is not distinct from source."id";

-- insert (rows_affected)
insert into "analytics"."orders" ("id", "customer_id", "amount", "updated_at")
select "id", "customer_id", "amount", "updated_at" from temp.main."etlx_new_orders";
