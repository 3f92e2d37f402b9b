/**
 * target/docs/index.html: one self-contained file. The page's script and style live in
 * src/docs/site/ (copied next to the built module by the build) and are inlined with the data,
 * so the page works from file:// with no network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { shippedPath } from '../util/shipped-path.js';
import type { SiteData } from './site-data.js';

// Beside this module (tsc's output), or under docs/ beside the bundle.
const SITE_DIR = shippedPath(import.meta.url, ['./site/', './docs/site/']);
const require = createRequire(import.meta.url);

/** The page's scripts, in load order: app.js defines the shared helpers the others use. */
const SCRIPTS = ['app.js', 'graph.js', 'runs.js'] as const;

function asset(name: string): string {
  return readFileSync(path.join(SITE_DIR, name), 'utf8');
}

/** dagre for the page, only when the graph is too big to lay out whole at generate time. */
function dagreBundle(): string {
  const main = require.resolve('@dagrejs/dagre');
  return readFileSync(path.join(path.dirname(main), 'dagre.min.js'), 'utf8');
}

/** Text safe inside a <script> element: no `</script>` or `<!--` can end it early. */
function scriptSafe(text: string): string {
  return text.replace(/</g, '\\u003c');
}

export function renderSite(data: SiteData): string {
  const title = `${data.project} · etlx docs`.replace(/[<>&"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${title}</title>
<style>
${asset('style.css')}
</style>
</head>
<body>
<header id="top">
  <a class="brand" href="#/">etlx docs</a>
  <nav><a href="#/" data-nav="nodes">Nodes</a><a href="#/graph" data-nav="graph">Lineage graph</a><a href="#/runs" data-nav="runs">Runs</a></nav>
  <input id="search" type="search" placeholder="Search nodes…" autocomplete="off" aria-label="Search nodes">
</header>
<main id="main"></main>
<script type="application/json" id="etlx-data">${scriptSafe(JSON.stringify(data))}</script>
${data.graph.layout ? '' : `<script>${dagreBundle().replace(/<\/script/gi, '<\\/script')}</script>\n`}<script>
${SCRIPTS.map(asset).join('\n')}
</script>
</body>
</html>
`;
}
