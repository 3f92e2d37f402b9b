-- One row per product, from the product_catalog seed.
select
    product_id,
    sku,
    product_name,
    category,
    unit_price_cents,
    {{> cents_to_dollars column="unit_price_cents"}} as unit_price,
    is_active
from {{ref "product_catalog"}}
