
select * from "marts"."orders_table"
