import path from 'node:path';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { TextFile } from '../project/files.js';
import type { TemplateCache } from '../template/cache.js';
import type { TemplateIR } from '../template/ir.js';
import { parseTemplateFile } from './templates.js';

/** A custom generic test: `tests/generic/<name>.sql`, a template returning the failing rows. */
export interface CustomTest {
  readonly name: string;
  readonly path: string;
  readonly ir: TemplateIR;
  readonly checksum: string;
}

/** Files under `<test path>/generic/` define generic tests; they are not singular tests. */
export function isGenericTestFile(f: TextFile, testPaths: readonly string[]): boolean {
  return testPaths.some((tp) => f.path.startsWith(`${path.posix.normalize(tp).replace(/\/$/, '')}/generic/`));
}

export function parseCustomTests(
  files: readonly TextFile[],
  testPaths: readonly string[],
  builtIn: readonly string[],
  cache: TemplateCache | undefined,
  diagnostics: Diagnostic[],
): Map<string, CustomTest> {
  const out = new Map<string, CustomTest>();
  for (const f of files) {
    if (!isGenericTestFile(f, testPaths)) continue;
    const name = path.posix.basename(f.path, '.sql');
    if (builtIn.includes(name) || out.has(name)) {
      diagnostics.push({
        code: 'E_DUPLICATE_NAME',
        message: `generic test ${f.path}: "${name}" is ${builtIn.includes(name) ? 'a built-in test' : `also defined in ${out.get(name)!.path}`}`,
        file: f.path,
        hint: 'rename the file: a test name means one test',
      });
      continue;
    }
    out.set(name, { name, path: f.path, ir: parseTemplateFile(f, cache, diagnostics), checksum: f.checksum });
  }
  return out;
}
