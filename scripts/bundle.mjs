// `npm run build`, second step (after tsc): bundles the CLI into one CommonJS file, dist/etlx.cjs,
// which bin/etlx.js loads through vm.Script with a V8 code cache. One file instead of ~200
// modules (etlx's own, @duckdb/node-api's 124 CommonJS files, Handlebars, zod, ...) is what makes
// start-up cheap: Node 20 has no module compile cache. The native DuckDB binding (.node) stays
// outside: it is required at run time, from the bundle's folder, only when a database is opened.
import { build, transform } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(repo, 'dist', 'etlx.cjs');

// Lazily loaded packages are reached through `createRequire(import.meta.url)` in the ESM source
// (the sources also run unbundled). In the CommonJS bundle the free `require` is the one to use,
// so esbuild can see and bundle the package; the line is dropped and its absence is an error.
const LAZY_REQUIRE = 'const require = createRequire(import.meta.url);';
const lazyRequire = {
  name: 'etlx-lazy-require',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('createRequire(')) return undefined;
      if (!text.includes(LAZY_REQUIRE)) throw new Error(`${args.path}: createRequire is used in an unexpected form; the bundle step expects "${LAZY_REQUIRE}"`);
      return { contents: text.replace(LAZY_REQUIRE, ''), loader: 'ts' };
    });
  },
};

await build({
  entryPoints: [path.join(repo, 'src', 'cli', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The platform packages hold the native binding (duckdb.node, libduckdb): required at run time.
  external: ['@duckdb/node-bindings-*', '@dagrejs/dagre'],
  // dagre is also reached with require.resolve (the page inlines its browser build): keep it a package.
  // import.meta.url in a CommonJS bundle: the bundle's own URL, set by bin/etlx.js's wrapper.
  // dist/etlx.cjs sits where dist/version.js does, so `../package.json` still resolves.
  define: { 'import.meta.url': '__etlx_bundle_url' },
  banner: { js: "var __etlx_bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyRequire],
  legalComments: 'none',
  logLevel: 'warning',
});
// Pure ASCII, so V8 holds the bundle's text as one byte a character, not two (about 5 MB less
// of every process's heap). esbuild escapes non-ASCII in code; what is left is in comments, and
// is written as \u escapes. Checked: esbuild prints the same program from both texts (comments
// dropped), so no string, regular expression or raw template changed.
{
  const text = await readFile(outfile, 'utf8');
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) {
    const program = async (t) => (await transform(t, { minifyWhitespace: true, charset: 'ascii', format: 'cjs', logLevel: 'silent' })).code;
    if ((await program(text)) !== (await program(ascii))) throw new Error('dist/etlx.cjs: non-ASCII characters outside comments could not be escaped');
    await writeFile(outfile, ascii);
  }
}
// A cache next to an older bundle is useless; V8 would reject most of it, but not reliably.
await rm(`${outfile}.cache`, { force: true });
