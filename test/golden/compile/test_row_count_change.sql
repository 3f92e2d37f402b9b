select current_rows.n as row_count, previous_rows.n as previous_row_count
from (select count(*) as n from "marts"."orders_table" as model) as current_rows,
     (select rows_affected as n from "etlx_meta"."node_results"
      where unique_id = 'test.shop.row_count_change_orders_table' and status in ('pass', 'warn') and rows_affected is not null and committed is not false
      order by completed_at desc limit 1) as previous_rows
where abs(current_rows.n - previous_rows.n) > previous_rows.n * 20 / 100.0
