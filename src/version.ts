import { readFileSync } from 'node:fs';

/** etlx's version, from package.json (read once at start). */
export const ETLX_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
