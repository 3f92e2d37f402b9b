-- One row per customer, from the customers seed, with cleaned-up text fields.
select
    customer_id,
    trim(first_name) as first_name,
    trim(last_name) as last_name,
    trim(first_name) || ' ' || trim(last_name) as full_name,
    lower(trim(email)) as email,
    upper(country_code) as country_code,
    postal_code,
    segment,
    signup_date
from {{ref "customers"}}
