// Preloaded with NODE_OPTIONS=--require by test/e2e/lazy-native.test.ts: any attempt to load the
// DuckDB native binding (requiring @duckdb/node-bindings or its platform package, or dlopen of a
// .node file) ends the process with exit 97 and a marker on stderr, so a command that must not
// load libduckdb fails the test when it does.
'use strict';
const Module = require('node:module');

function forbid(what) {
  process.stderr.write(`FORBIDDEN_NATIVE_LOAD ${what}\n`);
  process.exit(97);
}

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (/@duckdb[\\/]node-(bindings|api)/.test(String(request))) forbid(request);
  return load.call(this, request, parent, isMain);
};
const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  if (/duckdb/i.test(String(filename))) forbid(filename);
  return dlopen.call(this, module, filename, ...rest);
};
