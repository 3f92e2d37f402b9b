select * from read_csv('/virtual/proj/exports/orders.csv') union all by name select * from read_parquet('/virtual/proj/exports/orders/**/*.parquet', hive_partitioning=true)
