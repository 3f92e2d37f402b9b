import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { ChecksumCache } from '../project/checksum-cache.js';
import { sha1 } from '../project/files.js';
import path from 'node:path';
import { writeFileAtomic } from '../artifacts/json.js';
import { buildManifest, manifestJson } from '../artifacts/manifest.js';
import { compileProject, type CompiledProject } from '../compile/compile.js';
import type { Node } from '../parse/nodes.js';
import { sourcePosition } from '../template/render.js';
import { SqlChecker } from '../engine/sql-check.js';
import { EtlxError, throwIfErrors, type Diagnostic } from '../errors/diagnostic.js';
import type { Session } from '../session.js';

/** Paths inside the project shown relative to it, so artifacts match across machines. */
export function relativize(text: string, root: string): string {
  return text.split(`${root}${path.sep}`).join('');
}

/**
 * Renders every model and test, checks all the SQL with DuckDB's parser (every syntax error of
 * the project at once), and returns the compiled project. Throws EtlxError (exit 2) on errors.
 */
export interface CompileOptions {
  /** Nodes whose compiled SQL goes to target/compiled (`etlx compile`). */
  readonly write?: ReadonlySet<string>;
  /** Write target/manifest.json after a successful check. */
  readonly manifest?: boolean;
  /** Started early by the caller, so DuckDB is open by the time the project is rendered. */
  readonly checker?: SqlChecker;
}

export async function compileAndCheck(s: Session, o: CompileOptions = {}): Promise<CompiledProject> {
  const checker = o.checker ?? SqlChecker.start();
  try {
    const compiled = compileProject(s.project, s.ctx);
    throwIfErrors(compiled.diagnostics);
    await checker.whenReady();
    // The check is submitted before target/compiled is written, so DuckDB parses on its own
    // thread meanwhile (the files are written also when the check then fails, so the rendered SQL
    // can be inspected). The manifest only follows a successful check.
    const checking = checkCompiled(s, compiled, checker);
    if (o.write) writeCompiledFiles(s, compiled, o.write);
    await checking;
    if (o.manifest) writeManifest(s, compiled);
    return compiled;
  } finally {
    checker.close();
  }
}

async function checkCompiled(s: Session, compiled: CompiledProject, checker: SqlChecker): Promise<void> {
  const items: { node: Node; sql: string }[] = [];
  for (const [id, c] of compiled.nodes) {
    const node = s.project.nodes.get(id)!;
    if (node.resourceType === 'model' || (node.resourceType === 'test' && node.testType === 'singular')) {
      items.push({ node, sql: c.rendered ? c.rendered.text : c.sql });
    }
  }
  // SQL that passed the check before need not be parsed again.
  const passed = ChecksumCache.forTarget(s.targetDir, 'checked-sql');
  const sums = items.map((i) => sha1(i.sql));
  const todo = items.map((_, i) => i).filter((i) => !passed.same(sums[i]!, 'ok'));
  const problems = await checker.check(todo.map((i) => items[i]!.sql));
  for (const p of problems) passed.forget(sums[todo[p.index]!]!);
  passed.save();
  const diagnostics: Diagnostic[] = problems.map((p) => {
    const item = items[todo[p.index]!]!;
    const c = compiled.nodes.get(item.node.id)!;
    // "syntax error at end of input" points past the text; show the last line that has SQL on it.
    const offset = p.position !== undefined && c.rendered ? Math.min(p.position, Math.max(0, c.rendered.text.trimEnd().length - 1)) : undefined;
    const pos = offset !== undefined && c.rendered ? sourcePosition(c.rendered, offset) : undefined;
    return {
      code: 'E_SQL_SYNTAX',
      message: `SQL syntax error in ${item.node.resourceType} ${item.node.name}: ${p.message}`,
      file: item.node.path,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
      hint: /one SELECT/.test(p.message)
        ? 'a model holds exactly one SELECT; move other statements to pre_hook/post_hook'
        : `check the SQL near this position; the rendered SQL is what DuckDB parsed (etlx compile --select ${item.node.name} writes it to target/compiled)`,
    };
  });
  if (diagnostics.length > 0) throw new EtlxError(diagnostics);
}

/** Compiled file path under target/compiled for a node. */
export function compiledPath(targetDir: string, node: Node): string {
  if (node.resourceType === 'test' && node.testType === 'generic') return path.join(targetDir, 'compiled', node.path, `${node.name}.sql`);
  return path.join(targetDir, 'compiled', node.path);
}

/** Writes target/compiled/** for the given ids. */
function writeCompiledFiles(s: Session, compiled: CompiledProject, ids: ReadonlySet<string>): void {
  const root = s.project.root;
  const dirs = new Set<string>();
  // Files already on disk with the same content are left alone.
  const written = ChecksumCache.forTarget(s.targetDir, 'compiled-files');
  for (const id of ids) {
    const node = s.project.nodes.get(id);
    const c = compiled.nodes.get(id);
    if (!node || !c) continue;
    if (!c.display) continue;
    const file = compiledPath(s.targetDir, node);
    const text = `${relativize(c.display, root)}\n`;
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

export function writeManifest(s: Session, compiled: CompiledProject): void {
  const manifest = buildManifest(s.project, compiled, s.target, {
    etlxVersion: s.runtime.version,
    generatedAt: s.runtime.now().toISOString(),
    invocationId: s.runtime.invocationId,
  });
  writeFileAtomic(path.join(s.targetDir, 'manifest.json'), relativize(manifestJson(manifest), s.project.root));
  s.cache.save();
}
