-- One row per product.
select
    product_id,
    sku,
    product_name,
    category,
    unit_price,
    is_active
from {{ref "stg_products"}}
