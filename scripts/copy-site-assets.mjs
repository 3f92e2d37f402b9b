// Build step: the docs page's script and style (src/docs/site/) next to the compiled
// generator (dist/docs/site/), which inlines them into target/docs/index.html.
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/docs/site/', import.meta.url));
const to = fileURLToPath(new URL('../dist/docs/site/', import.meta.url));
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
