/**
 * The docs site in a real browser: Debian's chromium, driven by playwright-core, opening
 * target/docs/index.html from file:// with every network request refused. On the demo project
 * after two builds. Screenshots of each page go to test-output/screenshots/ for a person to look at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../integration/helpers.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(REPO, 'test-output', 'screenshots');
const P = 'shop_warehouse';

interface Manifest {
  nodes: Record<string, { name: string; resource_type: string; tags: string[]; columns: Record<string, { lineage?: { node: string; column: string; direct: boolean }[] }> }>;
  sources: Record<string, { name: string; source_name: string }>;
  parent_map: Record<string, string[]>;
}

describe('docs site in Chromium', () => {
  let dir: string;
  let profileDir: string;
  let ctx: BrowserContext;
  let page: Page;
  let manifest: Manifest;
  let url: string;
  const problems: string[] = [];
  const network: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium (.ci/run does this)`);
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-browser-')));
    for (const p of ['etlx.yml', 'models', 'seeds', 'staging', 'tests', 'macros']) fs.cpSync(path.join(REPO, p), path.join(dir, p), { recursive: true });
    for (let i = 0; i < 2; i++) {
      const b = await runCli(dir, ['build']);
      expect(b.code, b.output).toBe(0);
    }
    const g = await runCli(dir, ['docs', 'generate']);
    expect(g.code, g.output).toBe(0);
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'target', 'manifest.json'), 'utf8')) as Manifest;
    url = `file://${path.join(dir, 'target', 'docs', 'index.html')}`;
    fs.mkdirSync(SHOTS, { recursive: true });
    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-chromium-'));
    ctx = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    // No network: anything but the file itself (and data: URLs) is refused and recorded.
    await ctx.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('file://') || u.startsWith('data:')) return route.continue();
      network.push(u);
      return route.abort();
    });
    page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(url);
    await page.waitForSelector('li[data-id]');
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const go = async (hash: string, ready: string) => {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    await page.waitForSelector(ready);
  };
  const shot = (name: string, fullPage = true) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
  const graphIds = () => [...Object.keys(manifest.nodes).filter((id) => manifest.nodes[id]!.resource_type !== 'test'), ...Object.keys(manifest.sources)].sort();
  const ancestors = (id: string): Set<string> => {
    const out = new Set<string>([id]);
    const visit = (x: string) => (manifest.parent_map[x] ?? []).forEach((p) => (out.has(p) ? undefined : (out.add(p), visit(p))));
    visit(id);
    return out;
  };

  it('the landing page shows every node by name', async () => {
    const shown = await page.$$eval('li[data-id]', (els) => els.map((e) => e.getAttribute('data-id')!));
    const all = [...Object.keys(manifest.nodes), ...Object.keys(manifest.sources)].sort();
    expect(shown.sort()).toEqual(all);
    for (const id of [`model.${P}.fct_orders`, `seed.${P}.customers`, `source.${P}.shop.orders`]) expect(await page.isVisible(`li[data-id="${id}"] a`)).toBe(true);
    await shot('01-nodes');
  });

  it('search narrows the list', async () => {
    await page.fill('#search', 'revenue');
    const names = await page.$$eval('li[data-id] a.node-link', (els) => els.map((e) => e.textContent));
    const match = Object.values(manifest.nodes).filter((n) => n.name.includes('revenue')).map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(match));
    expect(names).toContain('daily_revenue');
    expect(names).not.toContain('stg_events');
    await page.fill('#search', '');
  });

  it('the lineage graph shows every model, seed and source', async () => {
    await go('#/graph', 'g.node');
    const drawn = await page.$$eval('g.node', (els) => els.map((e) => e.getAttribute('data-id')!));
    expect(drawn.sort()).toEqual(graphIds());
    for (const id of Object.keys(manifest.nodes).filter((x) => manifest.nodes[x]!.resource_type === 'model')) expect(drawn).toContain(id);
    expect(await page.$$eval('path.edge', (els) => els.length)).toBeGreaterThan(10);
    await shot('02-graph', false);
  });

  it('a selector highlights exactly the selected nodes', async () => {
    await page.fill('#graph-select', '+fct_orders');
    await page.press('#graph-select', 'Enter');
    const selected = await page.$$eval('g.node.sel', (els) => els.map((e) => e.getAttribute('data-id')!));
    expect(selected.sort()).toEqual([...ancestors(`model.${P}.fct_orders`)].sort());
    expect(await page.$$eval('g.node.dim', (els) => els.length)).toBe(graphIds().length - selected.length);
    expect(await page.textContent('#graph-count')).toBe(`${selected.length} of ${graphIds().length} nodes selected`);
    await shot('03-graph-selected', false);

    await page.fill('#graph-select', 'tag:staging');
    await page.press('#graph-select', 'Enter');
    const staging = Object.keys(manifest.nodes).filter((id) => manifest.nodes[id]!.resource_type !== 'test' && manifest.nodes[id]!.tags.includes('staging'));
    expect((await page.$$eval('g.node.sel', (els) => els.map((e) => e.getAttribute('data-id')!))).sort()).toEqual(staging.sort());
  });

  it('clicking a node highlights its ancestors and descendants', async () => {
    await page.click(`g.node[data-id="model.${P}.dim_products"]`);
    const selected = await page.$$eval('g.node.sel', (els) => els.map((e) => e.getAttribute('data-id')!));
    expect(selected).toEqual(expect.arrayContaining([`model.${P}.dim_products`, `model.${P}.stg_products`, `seed.${P}.product_catalog`, `model.${P}.fct_orders`, `model.${P}.daily_revenue`]));
    expect(selected).not.toContain(`model.${P}.stg_events`);
    expect(await page.inputValue('#graph-select')).toBe('+dim_products+');
  });

  it('zooms with the wheel', async () => {
    const before = await page.getAttribute('#viewport', 'transform');
    await page.mouse.move(600, 500);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(`document.getElementById('viewport').getAttribute('transform') !== ${JSON.stringify(before)}`);
  });

  it('a node page shows its compiled SQL and columns', async () => {
    await go(`#/node/model.${P}.fct_orders`, '#compiled-sql');
    expect(await page.textContent('h1')).toBe('fct_orders');
    expect(await page.textContent('#compiled-sql')).toContain('"main"."stg_orders"');
    expect(await page.textContent('#raw-sql')).toContain('{{ref "stg_orders"}}');
    const cols = await page.$$eval('#columns tbody tr', (rows) => rows.map((r) => [r.children[0]!.textContent, r.children[1]!.textContent]));
    expect(cols).toContainEqual(['order_id', 'INTEGER']);
    const catalog = JSON.parse(fs.readFileSync(path.join(dir, 'target', 'catalog.json'), 'utf8')) as { nodes: Record<string, { columns: Record<string, { name: string; type: string; index: number }> }> };
    const inWarehouse = Object.values(catalog.nodes[`model.${P}.fct_orders`]!.columns).sort((a, b) => a.index - b.index);
    expect(cols).toEqual(inWarehouse.map((c) => [c.name, c.type]));
    expect(await page.textContent('#columns')).toContain('unique');
    await shot('04-node');
  });

  it('column lineage links to the right upstream column', async () => {
    const want = manifest.nodes[`model.${P}.fct_orders`]!.columns.product_category!.lineage!;
    expect(want).toEqual([{ node: `model.${P}.dim_products`, column: 'category', direct: true }]);
    await page.click(`tr[data-column="product_category"] a.lineage-link`);
    await page.waitForFunction(`document.querySelector('h1')?.textContent === 'dim_products'`);
    expect(await page.evaluate('location.hash')).toBe(`#/node/${encodeURIComponent(`model.${P}.dim_products`)}?col=category`);
    expect(await page.getAttribute('tr.target', 'data-column')).toBe('category');
    await shot('05-column-lineage', false);
  });

  it('the Runs page draws charts from two builds', async () => {
    await go('#/runs', '#chart-duration');
    expect(await page.$$eval('#chart-duration rect.bar', (els) => els.length)).toBe(2);
    expect(await page.$$eval('#chart-status rect.bar', (els) => els.length)).toBeGreaterThanOrEqual(2);
    expect(await page.$$eval('#chart-model circle', (els) => els.length)).toBe(2);
    const heights = await page.$$eval('#chart-duration rect.bar', (els) => els.map((e) => Number(e.getAttribute('height'))));
    expect(heights.every((h) => h > 0)).toBe(true);
    expect(await page.textContent('#failures')).toContain('shop.events');
    await shot('06-runs');
  });

  it('logged no console errors and made no network request', () => {
    expect(problems).toEqual([]);
    expect(network).toEqual([]);
    expect(url.startsWith('file://')).toBe(true);
  });
});
