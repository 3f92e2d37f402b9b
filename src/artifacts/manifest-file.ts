import path from 'node:path';
import type { CompiledProject } from '../compile/compile.js';
import type { ParsedProject } from '../parse/parse-project.js';
import type { Target } from '../config/profiles.js';
import { writeFileAtomic } from './json.js';
import { buildManifest, manifestJson, type ColumnLineageMap } from './manifest.js';
import { relativize } from './paths.js';
import type { Secrets } from '../util/redact.js';

/** target/manifest.json, written atomically, with project paths relative and every secret hidden; returns what was written. */
export function writeManifest(
  project: ParsedProject,
  compiled: CompiledProject,
  target: Target,
  targetDir: string,
  runtime: { readonly version: string; readonly now: () => Date; readonly invocationId: string },
  secrets: Secrets,
  columnLineage?: ColumnLineageMap,
): { text: string; generatedAt: string } {
  const generatedAt = runtime.now().toISOString();
  const manifest = buildManifest(project, compiled, target, {
    etlxVersion: runtime.version,
    generatedAt,
    invocationId: runtime.invocationId,
  }, columnLineage);
  const text = secrets.redactJson(relativize(manifestJson(manifest), project.root));
  writeFileAtomic(path.join(targetDir, 'manifest.json'), text);
  return { text, generatedAt };
}
