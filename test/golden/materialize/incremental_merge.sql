-- transactional: true

-- merge (rows_affected)
merge into "analytics"."orders" as target
using (select "id", "customer_id", "amount" from temp.main."etlx_new_orders") as source
on (target."id" is not distinct from source."id")
when matched then update set "customer_id" = source."customer_id", "amount" = source."amount"
when not matched then insert ("id", "customer_id", "amount") values (source."id", source."customer_id", source."amount");
