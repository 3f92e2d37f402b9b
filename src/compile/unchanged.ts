import { existsSync } from 'node:fs';
import path from 'node:path';
import { rewriteManifestMetadata } from '../artifacts/manifest-file.js';
import { sha1 } from '../project/files.js';
import {
  cacheStats,
  currentFiles,
  currentProfiles,
  fingerprintOf,
  forgetCompileRecord,
  loadedFiles,
  manifestStat,
  readCompileRecord,
  writeCompileRecord,
  writeManifestRecord,
  type FingerprintHeader,
} from '../project/fingerprint.js';
import { loadProjectConfig } from '../project/load.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { GlobalOptions, Runtime, Session } from '../session.js';
import { envReadsOf } from '../util/env-reads.js';

/**
 * An unchanged project, recognised by one fingerprint of everything `etlx compile` reads: every
 * project file (by stamp, hashed again when its stamp changed), etlx.yml, the profiles.yml files
 * the target came from, the environment variables read (by templates, profiles, notify: their
 * values), the options and etlx's version. When it matches the last full compile's, the manifest
 * on disk is reused with new invocation metadata: nothing is parsed, rendered or checked again.
 * The records live in target/.cache, so a compile without target/ is cold; anything unexpected
 * means a full compile, which then reports as usual.
 *
 * A session with secrets (profile or notify values read with {{env}}) is never recorded: the
 * fingerprint would be a hash of them in target/, which is shared more widely than the
 * environment (CI uploads it for --state), and a short secret could be guessed from it.
 */
export interface UnchangedCompile {
  readonly root: string;
  readonly targetDir: string;
  readonly models: number;
  readonly tests: number;
  /** The warnings the project gave when it was parsed, to be reported again. */
  readonly warnings: readonly Diagnostic[];
}

/** Only a compile of the whole project, without state or deferral, is recorded and reused. */
function fingerprintable(o: GlobalOptions): boolean {
  return o.select.length === 0 && o.exclude.length === 0 && o.state === undefined && !o.defer;
}

/** The options that can change what a compile writes (paths are covered by the files they find). */
function optionsPart(o: GlobalOptions): Readonly<Record<string, unknown>> {
  return { profilesDir: o.profilesDir ?? null, profile: o.profile ?? null, target: o.target ?? null, vars: o.vars ?? null, threads: o.threads ?? null, atomic: o.atomic ?? null, fullRefresh: o.fullRefresh };
}

const checksums = (files: readonly (readonly [string, readonly [string, string]])[]) => files.map(([key, [, checksum]]) => [key, checksum] as const);

const envPart = (names: readonly string[], env: Runtime['env']): [string, string | null][] => names.map((n) => [n, env[n] ?? null]);

/**
 * `etlx compile` of an unchanged project: rewrites the manifest's invocation metadata and returns
 * what the command reports; undefined when a full compile is needed.
 */
export function compileUnchanged(options: GlobalOptions, runtime: Pick<Runtime, 'env' | 'now' | 'invocationId' | 'version'>): UnchangedCompile | undefined {
  if (!fingerprintable(options)) return undefined;
  try {
    const { root, text, config } = loadProjectConfig(options.projectDir);
    const targetDir = path.resolve(root, config.targetPath);
    const found = readCompileRecord(targetDir);
    if (!found) return undefined;
    const { record, manifest } = found;
    // The manifest must be the one that compile wrote (a run, docs generate or an edit rewrites it),
    // and the caches it left must be there as they were.
    if (manifestStat(targetDir) !== manifest.stat || cacheStats(targetDir) !== record.caches) return undefined;
    const header: FingerprintHeader = {
      etlxVersion: runtime.version,
      root,
      options: optionsPart(options),
      configChecksum: sha1(text),
      profiles: currentProfiles({ projectDir: root, ...(options.profilesDir !== undefined ? { profilesDir: options.profilesDir } : {}), env: runtime.env }, record.profilesChecked),
      env: envPart(record.envNames, runtime.env),
    };
    const scan = currentFiles(root, config, record.files);
    if (fingerprintOf(header, checksums(scan.files)) !== record.fingerprint) return undefined;
    const under = `${targetDir}${path.sep}`;
    if (!record.compiledFiles.every((f) => existsSync(under + f))) return undefined;
    const now = { generatedAt: runtime.now().toISOString(), invocationId: runtime.invocationId };
    const metadataAt = rewriteManifestMetadata(targetDir, manifest.metadataAt, manifest, now);
    if (metadataAt === undefined) return undefined;
    writeManifestRecord(targetDir, { ...now, metadataAt });
    // Stamps that were too recent to trust (or changed without a change of content): kept now.
    if (scan.changed) writeCompileRecord(targetDir, { ...record, files: Object.fromEntries(scan.files) });
    return { root, targetDir, models: record.models, tests: record.tests, warnings: record.warnings };
  } catch {
    return undefined;
  }
}

/** Before a full compile writes target/compiled: the last record no longer describes target/. */
export function forgetCompile(targetDir: string): void {
  forgetCompileRecord(targetDir);
}

/**
 * After a full compile of the whole project: records its fingerprint for the next one. Not when
 * the session has secrets, or something listed the environment (the names read are unknown).
 */
export function recordCompile(
  s: Session,
  r: { readonly manifest: { readonly generatedAt: string; readonly metadataAt: number | undefined }; readonly compiledFiles: readonly string[]; readonly models: number; readonly tests: number },
): void {
  try {
    if (!fingerprintable(s.options) || !s.secrets.isEmpty) return;
    const envNames = envReadsOf(s.runtime.env);
    const files = loadedFiles(s.project.files);
    const configChecksum = s.project.files.configChecksum;
    if (!envNames || !files || configChecksum === undefined || !s.profilesLooked) return;
    const header: FingerprintHeader = {
      etlxVersion: s.runtime.version,
      root: s.project.root,
      options: optionsPart(s.options),
      configChecksum,
      profiles: s.profilesLooked,
      env: envPart(envNames, s.runtime.env),
    };
    writeCompileRecord(s.targetDir, {
      fingerprint: fingerprintOf(header, checksums(files)),
      files: Object.fromEntries(files),
      envNames,
      profilesChecked: s.profilesLooked.length,
      caches: cacheStats(s.targetDir),
      compiledFiles: r.compiledFiles,
      warnings: s.project.diagnostics.filter((d) => d.severity === 'warn'),
      models: r.models,
      tests: r.tests,
    });
    const { generatedAt, metadataAt } = r.manifest;
    writeManifestRecord(s.targetDir, { generatedAt, invocationId: s.runtime.invocationId, ...(metadataAt !== undefined ? { metadataAt } : {}) });
  } catch {
    // Only the next compile's speed depends on these records.
  }
}
