select order_id, customer_id, cast(amount_cents / 100 as decimal(18, 2)) as amount, status, ordered_at
from read_parquet('/virtual/proj/staging/orders/*/*.parquet', hive_partitioning=true)
where ordered_at >= '2024-01-01'
