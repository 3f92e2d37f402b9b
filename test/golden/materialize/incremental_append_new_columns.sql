-- transactional: true

-- alter
alter table "analytics"."orders" add column "updated_at" TIMESTAMP;

-- merge (rows_affected)
merge into "analytics"."orders" as target
using (select "id", "customer_id", "amount", "updated_at" from temp.main."etlx_new_orders") as source
on (target."id" is not distinct from source."id")
when matched then update set "customer_id" = source."customer_id", "amount" = source."amount", "updated_at" = source."updated_at"
when not matched then insert ("id", "customer_id", "amount", "updated_at") values (source."id", source."customer_id", source."amount", source."updated_at");
