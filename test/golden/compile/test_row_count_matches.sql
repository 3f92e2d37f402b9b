select model_rows.n as row_count, other_rows.n as other_row_count
from (select count(*) as n from "marts"."orders_table" as model) as model_rows,
     (select count(*) as n from "main"."orders_view") as other_rows
where abs(model_rows.n - other_rows.n) > other_rows.n * 5 / 100.0
