// Generates the demo project's staging files (the data the `shop` source reads).
//
//   node scripts/make-demo-staging.mjs
//
// Deterministic: every "random" value is derived from DuckDB's hash() of a row number and a
// salt, DuckDB runs single-threaded, and every COPY is ordered, so re-running the script on the
// same DuckDB version rewrites the same data. Orders and events only reference customers and
// products that exist in seeds/customers.csv and seeds/product_catalog.csv; every payment
// references an existing order; successful payments of a non-cancelled order add up to its
// amount_cents. The project's data tests rely on these invariants.
//
// Output (all committed, about 70 KB in total):
//   staging/events/events_2024_01.parquet    clickstream, January 2024
//   staging/events/events_2024_02.parquet    clickstream, February 2024
//   staging/orders/order_month=YYYY-MM/data.parquet   orders, hive-partitioned by month
//   staging/payments.csv                     payment attempts
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const staging = join(root, 'staging');
const seeds = join(root, 'seeds');
const sqlPath = (p) => `'${p.replaceAll('\\', '/').replaceAll("'", "''")}'`;

const ORDER_MONTHS = [
  { month: '2024-01', orders: 180 },
  { month: '2024-02', orders: 200 },
  { month: '2024-03', orders: 220 },
];
const EVENT_MONTHS = ['2024-01', '2024-02'];
const SESSIONS_PER_MONTH = 420;
const PROSPECTS = 5; // customers (the highest ids) that browse but never order

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const run = (sql) => con.run(sql);
const one = async (sql) => (await con.runAndReadAll(sql)).getRowObjects()[0];

await run(`SET threads = 1`);

// Reference data, read the same way etlx reads the seeds.
await run(`CREATE TABLE customers AS SELECT * FROM read_csv(${sqlPath(join(seeds, 'customers.csv'))},
  header = true, types = {'customer_id': 'INTEGER', 'postal_code': 'VARCHAR', 'signup_date': 'DATE'})`);
await run(`CREATE TABLE products AS SELECT * FROM read_csv(${sqlPath(join(seeds, 'product_catalog.csv'))},
  header = true, types = {'product_id': 'INTEGER', 'unit_price_cents': 'INTEGER'})`);
await run(`CREATE TABLE customer_ids AS SELECT row_number() OVER (ORDER BY customer_id) - 1 AS idx, customer_id FROM customers`);
await run(`CREATE TABLE product_ids AS SELECT row_number() OVER (ORDER BY product_id) - 1 AS idx, product_id, unit_price_cents FROM products`);
const { n_customers, latest_signup } = await one(`SELECT count(*)::INTEGER AS n_customers, max(signup_date)::VARCHAR AS latest_signup FROM customers`);
const { n_products } = await one(`SELECT count(*)::INTEGER AS n_products FROM products`);
if (latest_signup >= '2024-01-01') throw new Error('every customer must have signed up before the first order');

// ---------------------------------------------------------------------------------------------
// Orders: order_id increases with ordered_at; one product line per order.
// ---------------------------------------------------------------------------------------------
const monthValues = ORDER_MONTHS.map((m, i) => `(${i}, '${m.month}', ${m.orders})`).join(', ');
await run(`CREATE TABLE order_months AS
  SELECT m.i, m.month, m.n,
         (m.month || '-01')::TIMESTAMP AS month_start,
         coalesce(sum(m.n) OVER (ORDER BY m.i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS id_offset
  FROM (VALUES ${monthValues}) AS m(i, month, n)`);

await run(`CREATE TABLE orders AS
WITH base AS (
  SELECT
    (om.id_offset + k + 1)::INTEGER AS order_id,
    om.month AS order_month,
    -- spread evenly over the month with jitter, so ids and timestamps rise together
    om.month_start + to_seconds(
      ((k + (hash(om.id_offset + k, 'jitter') % 1000) / 1000.0)
        * epoch(om.month_start + INTERVAL 1 MONTH - om.month_start) / om.n)::BIGINT
    ) AS ordered_at,
    -- skewed towards low customer ids (a few big spenders); the last PROSPECTS customers never order
    floor(power((hash(om.id_offset + k, 'customer') % 10000) / 10000.0, 2) * (${n_customers} - ${PROSPECTS}))::BIGINT AS customer_idx,
    hash(om.id_offset + k, 'product') % ${n_products} AS product_idx,
    (1 + hash(om.id_offset + k, 'quantity') % 3)::INTEGER AS quantity,
    hash(om.id_offset + k, 'status') % 100 AS status_roll
  FROM order_months om, range(om.n) AS r(k)
)
SELECT
  b.order_id,
  c.customer_id,
  p.product_id,
  b.quantity,
  (b.quantity * p.unit_price_cents)::INTEGER AS subtotal_cents,
  (CASE WHEN b.quantity * p.unit_price_cents >= 5000 THEN 0 ELSE 495 END)::INTEGER AS shipping_cents,
  (b.quantity * p.unit_price_cents + CASE WHEN b.quantity * p.unit_price_cents >= 5000 THEN 0 ELSE 495 END)::INTEGER AS amount_cents,
  CASE
    WHEN b.status_roll < 6 THEN 'cancelled'
    WHEN b.status_roll < 10 THEN 'returned'
    WHEN b.ordered_at >= TIMESTAMP '2024-03-25' THEN CASE WHEN b.status_roll < 55 THEN 'placed' ELSE 'shipped' END
    WHEN b.ordered_at >= TIMESTAMP '2024-03-18' THEN 'shipped'
    ELSE 'completed'
  END AS status,
  b.ordered_at,
  b.order_month
FROM base b
JOIN customer_ids c ON c.idx = b.customer_idx
JOIN product_ids p ON p.idx = b.product_idx`);

// ---------------------------------------------------------------------------------------------
// Payments: non-cancelled orders are paid in full by successful payments (sometimes a gift card
// plus a second method, sometimes after a failed attempt); some cancelled orders have a failed one.
// ---------------------------------------------------------------------------------------------
await run(`CREATE TABLE payments AS
WITH o AS (
  SELECT *,
    hash(order_id, 'method') % 100 AS method_roll,
    hash(order_id, 'split') % 100 AS split_roll,
    hash(order_id, 'retry') % 100 AS retry_roll,
    (60 + hash(order_id, 'delay') % 900)::BIGINT AS delay_s
  FROM orders
),
main_method AS (
  SELECT *,
    CASE WHEN method_roll < 55 THEN 'card' WHEN method_roll < 80 THEN 'paypal'
         WHEN method_roll < 95 THEN 'bank_transfer' ELSE 'gift_card' END AS method,
    -- a gift card covering part (or all) of the order
    CASE WHEN split_roll < 15 THEN least(amount_cents, 2500) ELSE 0 END AS gift_cents
  FROM o
),
attempts AS (
  -- failed attempt before the real payment
  SELECT order_id, 'card' AS payment_method, 'failed' AS status, amount_cents,
         ordered_at + to_seconds(delay_s) AS paid_at, 1 AS seq
  FROM main_method WHERE (status <> 'cancelled' AND retry_roll < 8) OR (status = 'cancelled' AND retry_roll < 50)
  UNION ALL
  SELECT order_id, 'gift_card', 'success', gift_cents,
         ordered_at + to_seconds(delay_s + 120), 2
  FROM main_method WHERE status <> 'cancelled' AND gift_cents > 0
  UNION ALL
  SELECT order_id, CASE WHEN gift_cents > 0 AND method = 'gift_card' THEN 'card' ELSE method END, 'success',
         amount_cents - gift_cents, ordered_at + to_seconds(delay_s + 180), 3
  FROM main_method WHERE status <> 'cancelled' AND amount_cents - gift_cents > 0
)
SELECT
  row_number() OVER (ORDER BY paid_at, order_id, seq)::INTEGER AS payment_id,
  order_id, payment_method, status, amount_cents::INTEGER AS amount_cents, paid_at
FROM attempts`);

// ---------------------------------------------------------------------------------------------
// Events: sessions walk down the funnel page_view > product_view > add_to_cart > checkout >
// purchase and stop somewhere; event_id is unique across all files and rises with event_at.
// ---------------------------------------------------------------------------------------------
const eventMonthValues = EVENT_MONTHS.map((m, i) => `(${i}, '${m}')`).join(', ');
await run(`CREATE TABLE events AS
WITH months AS (
  SELECT i, (m || '-01')::TIMESTAMP AS month_start FROM (VALUES ${eventMonthValues}) AS t(i, m)
),
sessions AS (
  SELECT
    mo.i * ${SESSIONS_PER_MONTH} + s AS session_no,
    mo.month_start + to_seconds(hash(mo.i * ${SESSIONS_PER_MONTH} + s, 'start')
      % (epoch(mo.month_start + INTERVAL 1 MONTH - mo.month_start)::BIGINT - 3600)) AS started_at,
    hash(mo.i * ${SESSIONS_PER_MONTH} + s, 'customer') % ${n_customers} AS customer_idx,
    hash(mo.i * ${SESSIONS_PER_MONTH} + s, 'product') % ${n_products} AS product_idx,
    -- funnel depth 1..5, most sessions bounce early
    CASE WHEN hash(mo.i * ${SESSIONS_PER_MONTH} + s, 'depth') % 100 < 40 THEN 1
         WHEN hash(mo.i * ${SESSIONS_PER_MONTH} + s, 'depth') % 100 < 70 THEN 2
         WHEN hash(mo.i * ${SESSIONS_PER_MONTH} + s, 'depth') % 100 < 85 THEN 3
         WHEN hash(mo.i * ${SESSIONS_PER_MONTH} + s, 'depth') % 100 < 93 THEN 4
         ELSE 5 END AS depth,
    CASE WHEN hash(mo.i * ${SESSIONS_PER_MONTH} + s, 'device') % 100 < 55 THEN 'mobile'
         WHEN hash(mo.i * ${SESSIONS_PER_MONTH} + s, 'device') % 100 < 90 THEN 'desktop'
         ELSE 'tablet' END AS device
  FROM months mo, range(${SESSIONS_PER_MONTH}) AS r(s)
),
steps AS (
  SELECT s.*, st.step,
    (['page_view', 'product_view', 'add_to_cart', 'checkout', 'purchase'])[st.step + 1] AS event_type,
    s.started_at + to_seconds(st.step * (20 + hash(s.session_no, st.step, 'gap') % 160)::BIGINT) AS event_at
  FROM sessions s, range(5) AS st(step)
  WHERE st.step < s.depth
)
SELECT
  row_number() OVER (ORDER BY st.event_at, st.session_no, st.step)::BIGINT AS event_id,
  st.event_at,
  c.customer_id,
  'sess_' || lpad(st.session_no::VARCHAR, 5, '0') AS session_id,
  st.event_type,
  CASE WHEN st.event_type = 'page_view' THEN NULL ELSE p.product_id END AS product_id,
  st.device
FROM steps st
JOIN customer_ids c ON c.idx = st.customer_idx
JOIN product_ids p ON p.idx = st.product_idx`);

// ---------------------------------------------------------------------------------------------
// Write files (replacing whatever was there).
// ---------------------------------------------------------------------------------------------
for (const sub of ['events', 'orders']) rmSync(join(staging, sub), { recursive: true, force: true });
rmSync(join(staging, 'payments.csv'), { force: true });

mkdirSync(join(staging, 'events'), { recursive: true });
for (const m of EVENT_MONTHS) {
  const file = join(staging, 'events', `events_${m.replace('-', '_')}.parquet`);
  await run(`COPY (SELECT * FROM events WHERE strftime(event_at, '%Y-%m') = '${m}' ORDER BY event_id)
    TO ${sqlPath(file)} (FORMAT parquet, COMPRESSION zstd)`);
}

for (const { month } of ORDER_MONTHS) {
  const dir = join(staging, 'orders', `order_month=${month}`);
  mkdirSync(dir, { recursive: true });
  // order_month lives in the directory name only (hive partitioning), not in the file
  await run(`COPY (SELECT * EXCLUDE (order_month) FROM orders WHERE order_month = '${month}' ORDER BY order_id)
    TO ${sqlPath(join(dir, 'data.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
}

await run(`COPY (SELECT payment_id, order_id, payment_method, status, amount_cents,
                        strftime(paid_at, '%Y-%m-%d %H:%M:%S') AS paid_at
                 FROM payments ORDER BY payment_id)
  TO ${sqlPath(join(staging, 'payments.csv'))} (FORMAT csv, HEADER true)`);

// ---------------------------------------------------------------------------------------------
// Sanity checks on what was written (read back from the files).
// ---------------------------------------------------------------------------------------------
const check = await one(`SELECT
  (SELECT count(*) FROM read_parquet(${sqlPath(join(staging, 'events', '*.parquet'))}))::INTEGER AS events,
  (SELECT count(*) FROM read_parquet(${sqlPath(join(staging, 'orders', '*', '*.parquet'))}, hive_partitioning = true))::INTEGER AS orders,
  (SELECT count(*) FROM read_csv(${sqlPath(join(staging, 'payments.csv'))}, header = true))::INTEGER AS payments,
  (SELECT count(*) FROM orders o WHERE o.status <> 'cancelled' AND o.amount_cents <>
     (SELECT coalesce(sum(p.amount_cents), 0) FROM payments p WHERE p.order_id = o.order_id AND p.status = 'success'))::INTEGER AS unpaid_orders`);
if (check.unpaid_orders !== 0) throw new Error(`${check.unpaid_orders} orders are not fully paid`);
console.log(`wrote ${check.events} events, ${check.orders} orders, ${check.payments} payments under ${staging}`);
