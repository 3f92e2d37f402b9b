import path from 'node:path';
import type { CompiledProject } from '../compile/compile.js';
import type { ParsedProject } from '../parse/parse-project.js';
import type { Target } from '../config/profiles.js';
import { writeFileAtomic } from './json.js';
import { buildManifest, manifestJson } from './manifest.js';
import { relativize } from './paths.js';

/** target/manifest.json, written atomically, with project paths relative; returns what was written. */
export function writeManifest(
  project: ParsedProject,
  compiled: CompiledProject,
  target: Target,
  targetDir: string,
  runtime: { readonly version: string; readonly now: () => Date; readonly invocationId: string },
): { text: string; generatedAt: string } {
  const generatedAt = runtime.now().toISOString();
  const manifest = buildManifest(project, compiled, target, {
    etlxVersion: runtime.version,
    generatedAt,
    invocationId: runtime.invocationId,
  });
  const text = relativize(manifestJson(manifest), project.root);
  writeFileAtomic(path.join(targetDir, 'manifest.json'), text);
  return { text, generatedAt };
}
