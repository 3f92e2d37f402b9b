-- transactional: true

-- merge (rows_affected)
merge into "analytics"."orders" as target
using (select "id" from temp.main."etlx_new_orders") as source
on (target."id" is not distinct from source."id")
when not matched then insert ("id") values (source."id");
