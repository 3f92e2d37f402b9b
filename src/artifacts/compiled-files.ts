import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CompiledProject } from '../compile/compile.js';
import type { Node } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import { ChecksumCache } from '../project/checksum-cache.js';
import { sha1 } from '../project/files.js';
import { relativize } from './paths.js';
import type { Secrets } from '../util/redact.js';

/** Compiled file path under target/compiled for a node. */
export function compiledPath(targetDir: string, node: Node): string {
  if (node.resourceType === 'test' && node.testType === 'generic') return path.join(targetDir, 'compiled', node.path, `${node.name}.sql`);
  return path.join(targetDir, 'compiled', node.path);
}

/** Writes target/compiled/** for the given ids, with every secret hidden. */
export function writeCompiledFiles(project: ParsedProject, targetDir: string, compiled: CompiledProject, ids: ReadonlySet<string>, secrets: Secrets): void {
  const root = project.root;
  const dirs = new Set<string>();
  // Files already on disk with the same content are left alone.
  const written = ChecksumCache.forTarget(targetDir, 'compiled-files');
  for (const id of ids) {
    const node = project.nodes.get(id);
    const c = compiled.nodes.get(id);
    if (!node || !c) continue;
    if (!c.display) continue;
    const file = compiledPath(targetDir, node);
    const text = secrets.redact(`${relativize(c.display, root)}\n`);
    if (written.same(file, sha1(text)) && existsSync(file)) continue;
    const dir = path.dirname(file);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    writeFileSync(file, text);
  }
  written.save();
}

