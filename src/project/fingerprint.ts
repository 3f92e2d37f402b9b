import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../artifacts/json.js';
import type { ProjectConfig } from '../config/project-config.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { fileStamp, readConfigText, readData, readText, toPosix } from './files.js';
import { FILE_KINDS, kindPaths, type ProjectFiles } from './load.js';
import { profileSearchPath, type ProfilesLocation } from './profiles-file.js';

/**
 * The unchanged-project fingerprint's records in target/.cache (see compile/unchanged.ts): one
 * hash of everything a full compile reads, and per project file its stamp and checksum, so the
 * next compile hashes again only the files whose stamp changed. Nothing here holds a value read
 * from the environment: a session with secrets is never recorded, and the other values read
 * (a template's {{env}}, HOME) are only inside the one hash.
 */
const RECORD_VERSION = 1;

export interface CompileRecord {
  readonly version: number;
  readonly fingerprint: string;
  /** `<kind>:<project-relative path>` -> [stamp, checksum]. */
  readonly files: Readonly<Record<string, readonly [string, string]>>;
  readonly envNames: readonly string[];
  /** How many profiles.yml on the search path the target's resolution looked at. */
  readonly profilesChecked: number;
  /** The stats of the caches a full compile reads (cacheStats): one changed or gone means a full compile. */
  readonly caches: string;
  /** target/compiled files written, relative to target/. */
  readonly compiledFiles: readonly string[];
  /** The project's warnings, reported again by a compile that reuses the manifest. */
  readonly warnings: readonly Diagnostic[];
  readonly models: number;
  readonly tests: number;
}

/** The manifest the last compile wrote: its stat, and the invocation metadata in it. */
export interface ManifestRecord {
  readonly stat: string;
  readonly generatedAt: string;
  readonly invocationId: string;
  /** The byte offset of that metadata in the file, when known. */
  readonly metadataAt?: number;
}

/** Everything besides the project files that decides a compile's output. */
export interface FingerprintHeader {
  readonly etlxVersion: string;
  readonly root: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly configChecksum: string;
  /** The profiles.yml files the resolution looked at, in order: [path, sha1 of the text, or null when absent]. */
  readonly profiles: readonly (readonly [string, string | null])[];
  readonly env: readonly (readonly [string, string | null])[];
}

const recordPath = (targetDir: string) => path.join(targetDir, '.cache', 'compile-fingerprint.json');
// Small, and rewritten by every compile that reuses the manifest; the record above only when it changes.
const manifestRecordPath = (targetDir: string) => path.join(targetDir, '.cache', 'compile-manifest.json');

export function fingerprintOf(header: FingerprintHeader, files: Iterable<readonly [string, string]>): string {
  const hash = createHash('sha256').update(JSON.stringify({ record: RECORD_VERSION, ...header }));
  for (const [key, checksum] of files) hash.update(`${key}\0${checksum}\n`);
  return hash.digest('hex');
}

/** The project's files as the load read them: [key, [stamp, checksum]] in load order. */
export function loadedFiles(files: ProjectFiles): [string, readonly [string, string]][] | undefined {
  const stamps = files.stamps;
  if (!stamps) return undefined;
  const out: [string, readonly [string, string]][] = [];
  for (const kind of FILE_KINDS) for (const f of files[kind]) out.push([`${kind}:${f.path}`, [stamps.get(f.absPath) ?? '', f.checksum]]);
  return out;
}

/**
 * The project's files as they are now: walked as a load walks them, each stamped, and hashed
 * again only when its stamp is not the one recorded. `changed`: some stamp differs from the record.
 */
export function currentFiles(
  root: string,
  config: ProjectConfig,
  previous: CompileRecord['files'],
  now?: number,
): { files: [string, readonly [string, string]][]; changed: boolean } {
  const out: [string, readonly [string, string]][] = [];
  let changed = false;
  const inside = root.endsWith(path.sep) ? root : `${root}${path.sep}`;
  for (const kind of FILE_KINDS) {
    for (const abs of kindPaths(root, config, kind)) {
      const stamp = fileStamp(statSync(abs), now);
      // What readText's path is (path.relative was most of this loop's time for 10,000 files).
      const rel = toPosix(abs.startsWith(inside) ? abs.slice(inside.length) : path.relative(root, abs));
      const key = `${kind}:${rel}`;
      const prev = previous[key];
      if (prev && stamp !== '' && prev[0] === stamp) {
        out.push([key, prev]);
        continue;
      }
      changed = true;
      // Stamped before it is read, as a load does.
      out.push([key, [stamp, kind === 'seeds' ? readData(root, abs).checksum : readText(root, abs).checksum]]);
    }
  }
  return { files: out, changed };
}

/** The first `count` profiles.yml on the search path as they are now. */
export function currentProfiles(at: ProfilesLocation, count: number): [string, string | null][] {
  return profileSearchPath(at)
    .slice(0, count)
    .map((file) => [file, existsSync(file) ? sha1Text(readConfigText(path.dirname(file), file)) : null]);
}

const sha1Text = (text: string) => createHash('sha1').update(text).digest('hex');

/**
 * The profiles.yml files a resolution looked at: every one on the search path up to the one
 * that defined the profile (all of them when none did), each with the sha1 of the text it read.
 */
export function profilesLooked(searchPath: readonly string[], read: ReadonlyMap<string, string>, origin: string): [string, string | null][] {
  const upTo = searchPath.indexOf(origin);
  return searchPath.slice(0, upTo < 0 ? searchPath.length : upTo + 1).map((file) => {
    const text = read.get(file);
    return [file, text === undefined ? null : sha1Text(text)];
  });
}

export function readCompileRecord(targetDir: string): { record: CompileRecord; manifest: ManifestRecord } | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestRecordPath(targetDir), 'utf8')) as ManifestRecord;
    const record = JSON.parse(readFileSync(recordPath(targetDir), 'utf8')) as CompileRecord;
    return record.version === RECORD_VERSION ? { record, manifest } : undefined;
  } catch {
    return undefined;
  }
}

export function writeCompileRecord(targetDir: string, record: Omit<CompileRecord, 'version'>): void {
  writeFileAtomic(recordPath(targetDir), JSON.stringify({ ...record, version: RECORD_VERSION }));
}

/** Written after the manifest, so the stat recorded is the manifest's as written. */
export function writeManifestRecord(targetDir: string, m: Omit<ManifestRecord, 'stat'>): void {
  writeFileAtomic(manifestRecordPath(targetDir), JSON.stringify({ stat: manifestStat(targetDir), ...m } satisfies ManifestRecord));
}

const CACHES = ['templates.json', 'checked-sql.json', 'compiled-files.json'];

/**
 * The caches under target/.cache a full compile reads. Their content does not change a compile's
 * output, but one doctored or removed must still be read, or rebuilt, by the next compile.
 */
export function cacheStats(targetDir: string): string {
  return CACHES.map((name) => {
    const st = statSync(path.join(targetDir, '.cache', name), { throwIfNoEntry: false });
    return st ? `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}` : '-';
  }).join('|');
}

/** The manifest's stat (written atomically: every write is a new inode). */
export function manifestStat(targetDir: string): string {
  const st = statSync(path.join(targetDir, 'manifest.json'));
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

/** No reuse until the next full compile records again (it is about to write target/compiled). */
export function forgetCompileRecord(targetDir: string): void {
  try {
    unlinkSync(manifestRecordPath(targetDir));
  } catch {
    // Not there: nothing to forget.
  }
}
