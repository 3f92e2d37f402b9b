import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../artifacts/json.js';
import type { ProjectConfig } from '../config/project-config.js';
import type { Target } from '../config/profiles.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { readData, sha1, toPosix } from '../project/files.js';
import { loadProjectConfig, projectPaths } from '../project/load.js';
import { ensureWritableDir, sessionTarget, type GlobalOptions, type Runtime } from '../session.js';

/**
 * An unchanged project, recognised by one fingerprint of everything `etlx compile` reads: every
 * project file (by stat, hashed again when its stat changed), etlx.yml, the resolved target, the
 * vars, the environment variables the templates read, the options and etlx's version. When it
 * matches the last full compile's, the manifest on disk is reused with new invocation metadata:
 * nothing is parsed, rendered or checked again (10,000 models: about 2.9 s of CPU down to a
 * fraction). Kept in target/.cache, so a compile without target/ is cold; anything unexpected
 * falls back to a full compile.
 */
const RECORD_VERSION = 2;

interface FileEntry {
  /** size, mtime, ctime and inode: a changed file changes its ctime. */
  readonly stat: string;
  readonly checksum: string;
}

/** The manifest this process or the last compile wrote: its stat, and the metadata it holds. */
interface ManifestRecord {
  readonly stat: string;
  readonly generatedAt: string;
  readonly invocationId: string;
}

interface CompileRecord {
  readonly version: number;
  readonly fingerprint: string;
  readonly files: Readonly<Record<string, FileEntry>>;
  readonly envNames: readonly string[];
  readonly compiledFiles: readonly string[];
  /** The stats of the caches a full compile reads: one edited or gone means a full compile. */
  readonly caches: string;
  readonly warnings: readonly Diagnostic[];
  readonly models: number;
  readonly tests: number;
}

export interface UnchangedCompile {
  readonly root: string;
  readonly targetDir: string;
  readonly target: Target;
  readonly models: number;
  readonly tests: number;
  /** The warnings the project gave when it was parsed, to be reported again. */
  readonly warnings: readonly Diagnostic[];
}

const recordPath = (targetDir: string) => path.join(targetDir, '.cache', 'compile-fingerprint.json');
// Small and rewritten by every unchanged compile; the large record above is written only by a full one.
const manifestRecordPath = (targetDir: string) => path.join(targetDir, '.cache', 'compile-manifest.json');
const CACHES = ['templates.json', 'checked-sql.json', 'compiled-files.json'];
const cacheStats = (targetDir: string) => CACHES.map((f) => (existsSync(path.join(targetDir, '.cache', f)) ? statKey(path.join(targetDir, '.cache', f)) : '-')).join('|');
const statKey = (file: string) => {
  const st = statSync(file);
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
};

/** Only a compile of the whole project, without state:, is recorded and reused. */
export function fingerprintable(o: GlobalOptions): boolean {
  return o.select.length === 0 && o.exclude.length === 0 && o.state === undefined;
}

/**
 * The environment as the templates see it, noting every name read. `names()` is undefined when
 * the environment was enumerated: the names read are then unknown, and nothing is recorded.
 */
export function recordingEnv(env: Readonly<Record<string, string | undefined>>): { env: Readonly<Record<string, string | undefined>>; names(): string[] | undefined } {
  const names = new Set<string>();
  let enumerated = false;
  const proxy = new Proxy(env, {
    get: (t, k) => (typeof k === 'string' && names.add(k), Reflect.get(t, k)),
    has: (t, k) => (typeof k === 'string' && names.add(k), Reflect.has(t, k)),
    ownKeys: (t) => ((enumerated = true), Reflect.ownKeys(t)),
    getOwnPropertyDescriptor: (t, k) => (typeof k === 'string' && names.add(k), Reflect.getOwnPropertyDescriptor(t, k)),
  });
  return { env: proxy, names: () => (enumerated ? undefined : [...names].sort()) };
}

function scanInputs(
  root: string,
  config: ProjectConfig,
  configText: string,
  options: GlobalOptions,
  target: Target,
  env: Readonly<Record<string, string | undefined>>,
  envNames: readonly string[],
  etlxVersion: string,
  previous: Readonly<Record<string, FileEntry>> | undefined,
  known?: ReadonlyMap<string, string>,
): { fingerprint: string; files: Record<string, FileEntry>; newestChange: number } {
  const paths = projectPaths(root, config);
  const files: Record<string, FileEntry> = {};
  const hash = createHash('sha1');
  hash.update(
    JSON.stringify({
      record: RECORD_VERSION,
      etlxVersion,
      root,
      configText,
      options: { profilesDir: options.profilesDir, profile: options.profile, target: options.target, vars: options.vars, threads: options.threads, atomic: options.atomic, fullRefresh: options.fullRefresh },
      target,
      env: envNames.map((n) => [n, env[n] ?? null]),
    }),
  );
  let newestChange = 0;
  const inside = root + path.sep;
  for (const [kind, list] of Object.entries(paths) as [string, readonly string[]][]) {
    for (const abs of list) {
      const st = statSync(abs);
      const key = `${kind}:${toPosix(abs.startsWith(inside) ? abs.slice(inside.length) : path.relative(root, abs))}`;
      const stat = `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
      newestChange = Math.max(newestChange, st.mtimeMs, st.ctimeMs);
      const prev = previous?.[key];
      // The same checksums a load computes, so a full compile's can be used (`known`).
      const checksum = prev && prev.stat === stat ? prev.checksum : (known?.get(abs) ?? (kind === 'seeds' ? readData(root, abs).checksum : sha1(readFileSync(abs, 'utf8'))));
      files[key] = { stat, checksum };
      hash.update(`${key}\0${checksum}\n`);
    }
  }
  return { fingerprint: hash.digest('hex'), files, newestChange };
}

function readRecord(targetDir: string): CompileRecord | undefined {
  const file = recordPath(targetDir);
  if (!existsSync(file)) return undefined;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as CompileRecord;
    return r.version === RECORD_VERSION ? r : undefined;
  } catch {
    return undefined;
  }
}

function readManifestRecord(targetDir: string): ManifestRecord | undefined {
  try {
    return JSON.parse(readFileSync(manifestRecordPath(targetDir), 'utf8')) as ManifestRecord;
  } catch {
    return undefined;
  }
}

/** Written after the manifest, so its stat is the manifest's as written. */
function writeManifestRecord(targetDir: string, generatedAt: string, invocationId: string): void {
  const stat = statKey(path.join(targetDir, 'manifest.json'));
  writeFileAtomic(manifestRecordPath(targetDir), JSON.stringify({ stat, generatedAt, invocationId } satisfies ManifestRecord));
}
const metadataText = (generatedAt: string, invocationId: string) => `\n    "generated_at": ${JSON.stringify(generatedAt)},\n    "invocation_id": ${JSON.stringify(invocationId)},\n`;

/**
 * `etlx compile` of an unchanged project: rewrites the manifest's invocation metadata and returns
 * what the command reports, or undefined when a full compile is needed (anything changed, no or
 * a damaged record, a manifest or compiled file edited or gone, or any error, which the full
 * compile then reports as usual).
 */
export function compileUnchanged(options: GlobalOptions, runtime: Pick<Runtime, 'env' | 'now' | 'invocationId' | 'version'>): UnchangedCompile | undefined {
  if (!fingerprintable(options)) return undefined;
  try {
    const { root, config, text } = loadProjectConfig(options.projectDir);
    const targetDir = path.resolve(root, config.targetPath);
    const written = readManifestRecord(targetDir);
    const record = written && readRecord(targetDir);
    if (!written || !record) return undefined;
    ensureWritableDir(targetDir, config.targetPath);
    const target = sessionTarget(root, config, options, runtime);
    const scan = scanInputs(root, config, text, options, target, runtime.env, record.envNames, runtime.version, record.files);
    if (scan.fingerprint !== record.fingerprint) return undefined;
    if (cacheStats(targetDir) !== record.caches) return undefined;
    if (!record.compiledFiles.every((f) => existsSync(f))) return undefined;
    // The manifest must be the one the last compile wrote (a run or an edit changes its stat).
    const manifestFile = path.join(targetDir, 'manifest.json');
    if (statKey(manifestFile) !== written.stat) return undefined;
    const manifest = readFileSync(manifestFile, 'utf8');
    const before = metadataText(written.generatedAt, written.invocationId);
    const at = manifest.indexOf(before);
    if (at < 0) return undefined;
    const generatedAt = runtime.now().toISOString();
    writeFileAtomic(manifestFile, `${manifest.slice(0, at)}${metadataText(generatedAt, runtime.invocationId)}${manifest.slice(at + before.length)}`);
    writeManifestRecord(targetDir, generatedAt, runtime.invocationId);
    return { root, targetDir, target, models: record.models, tests: record.tests, warnings: record.warnings };
  } catch {
    return undefined;
  }
}

/**
 * After a full compile of the whole project: records its fingerprint for the next one. Not when
 * a project file changed since this process started (the compile may have read the old text)
 * or the templates enumerated the environment.
 */
export function recordCompile(
  o: {
    readonly options: GlobalOptions;
    readonly runtime: Pick<Runtime, 'env' | 'version'>;
    readonly target: Target;
    readonly targetDir: string;
    readonly startedAt: number;
    readonly fileChecksums?: ReadonlyMap<string, string>;
  },
  r: {
    readonly envNames: readonly string[] | undefined;
    readonly generatedAt: string;
    readonly invocationId: string;
    readonly compiledFiles: readonly string[];
    readonly warnings: readonly Diagnostic[];
    readonly models: number;
    readonly tests: number;
  },
): void {
  try {
    if (!fingerprintable(o.options) || !r.envNames) return;
    const { root, config, text } = loadProjectConfig(o.options.projectDir);
    const previous = readRecord(o.targetDir);
    // A file changed since this process started has a newer stat, and then nothing is recorded;
    // so the checksums the load computed are the files' as they are now.
    const scan = scanInputs(root, config, text, o.options, o.target, o.runtime.env, r.envNames, o.runtime.version, previous?.files, o.fileChecksums);
    // One second of slack for file systems with coarse timestamps.
    if (scan.newestChange >= o.startedAt - 1000) return;
    const record: CompileRecord = {
      version: RECORD_VERSION,
      fingerprint: scan.fingerprint,
      files: scan.files,
      envNames: r.envNames,
      compiledFiles: r.compiledFiles,
      caches: cacheStats(o.targetDir),
      warnings: r.warnings,
      models: r.models,
      tests: r.tests,
    };
    writeFileAtomic(recordPath(o.targetDir), JSON.stringify(record));
    writeManifestRecord(o.targetDir, r.generatedAt, r.invocationId);
  } catch {
    // Only the next compile's speed depends on this record.
  }
}
