// Build step: JSON Schemas for etlx.yml, properties files and profiles.yml, generated from the
// zod schemas (dist/config/json-schemas.js) into schemas/, which is committed and shipped.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { jsonSchemaFiles } = await import(new URL('../dist/config/json-schemas.js', import.meta.url).href);
const out = fileURLToPath(new URL('../schemas/', import.meta.url));
mkdirSync(out, { recursive: true });
for (const [file, text] of Object.entries(jsonSchemaFiles())) writeFileSync(out + file, text);
