select n as row_count
from (select count(*) as n from "marts"."orders_table" as model)
where n < 1 or n > 1000000
