import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EtlxError } from '../errors/diagnostic.js';

/** The files of a new project: a seed, a staging view, a mart table, tests and a macro. */
export function scaffoldFiles(name: string): Record<string, string> {
  return {
    'etlx.yml': `name: ${name}
# yaml-language-server: $schema=node_modules/etlx/schemas/etlx.schema.json
profile: ${name}

vars:
  min_amount: 0

# Config defaults by folder under models/ ("+key" is always a config key).
models:
  materialized: table
  staging:
    +materialized: view
`,
    'profiles.example.yml': `# yaml-language-server: $schema=node_modules/etlx/schemas/profiles.schema.json
# Copy to profiles.yml to change where etlx writes. Without one, etlx uses ./${name}.duckdb.
${name}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: ${name}.duckdb
      schema: main
      threads: 4
    prod:
      type: duckdb
      path: '{{env "ETLX_PROD_PATH" "prod.duckdb"}}'
      schema: main
      threads: 2
      settings:
        memory_limit: 4GB
`,
    // Newer yaml-language-server releases read a modeline only above the first key, and etlx.yml
    // starts with its name: this maps the schema for VS Code whatever the release.
    '.vscode/settings.json': `${JSON.stringify({ 'yaml.schemas': { './node_modules/etlx/schemas/etlx.schema.json': 'etlx.yml' } }, null, 2)}\n`,
    '.gitignore': `target/\n*.duckdb\n*.duckdb.wal\nprofiles.yml\n`,
    'seeds/customers.csv': `customer_id,name,country\n1,Ada,GB\n2,Grace,US\n3,Linus,FI\n`,
    'seeds/orders.csv': `order_id,customer_id,amount,status\n10,1,25.00,paid\n11,1,12.50,paid\n12,2,40.00,refunded\n13,3,8.75,paid\n`,
    'models/staging/stg_orders.sql': `select order_id, customer_id, amount, status\nfrom {{ref "orders"}}\nwhere amount >= {{var "min_amount"}}\n`,
    'models/marts/customer_revenue.sql': `select\n    c.customer_id,\n    c.name,\n    {{> money column="coalesce(sum(o.amount) filter (where o.status = 'paid'), 0)"}} as revenue\nfrom {{ref "customers"}} as c\nleft join {{ref "stg_orders"}} as o on o.customer_id = c.customer_id\ngroup by all\n`,
    'models/schema.yml': `# yaml-language-server: $schema=../node_modules/etlx/schemas/properties.schema.json
version: 2
models:
  - name: stg_orders
    columns:
      - name: order_id
        tests: [not_null, unique]
      - name: status
        tests:
          - accepted_values: {values: [paid, refunded]}
      - name: customer_id
        tests:
          - relationships: {to: customers, field: customer_id}
  - name: customer_revenue
    tests:
      - row_count: {min: 1}
    columns:
      - name: customer_id
        tests: [unique]
`,
    'macros/money.sql': `round({{column}}, 2)`,
    'tests/assert_revenue_not_negative.sql': `select * from {{ref "customer_revenue"}} where revenue < 0\n`,
  };
}

/** Creates a project in `dir`; refuses to overwrite an existing one. */
export function initProject(dir: string): { root: string; files: string[] } {
  const root = path.resolve(dir);
  if (existsSync(path.join(root, 'etlx.yml'))) {
    throw new EtlxError({ code: 'E_INIT_EXISTS', message: `${path.join(root, 'etlx.yml')} already exists`, hint: 'run etlx init with a new folder name: etlx init my_project' });
  }
  const name = path.basename(root).replace(/[^A-Za-z0-9_]/g, '_').replace(/^([^A-Za-z_])/, '_$1') || 'my_project';
  const files = scaffoldFiles(name);
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { root, files: Object.keys(files).sort() };
}
