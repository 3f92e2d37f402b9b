import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { compileIfUnchanged, createReporter, ETLX_VERSION, loadProject, LogFileReporter, newRuntime, redactingSink, Secrets, StopSignal, type Reporter, type Runtime, type Session, type UnchangedCompile } from '../index.js';
import { globalOptions, type RawFlags } from './flags.js';

export interface CliIO {
  readonly stdout: { write(s: string): void; isTTY?: boolean };
  readonly stderr: { write(s: string): void; isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Per-invocation state the commands share: the runtime, its reporter, and whether --debug is on. */
export class Invocation {
  readonly invocationId = randomUUID();
  exitCode = 0;
  debug = false;
  /** Set by SIGINT/SIGTERM from the start of the invocation: runs start nothing new and exit 130. */
  readonly stop = new StopSignal();
  /** Set by commands that run until told to stop (docs serve): a signal then ends them with exit 0. */
  signalEndsNormally = false;
  private reporterCache: Reporter | undefined;
  private secretsValue: Secrets = Secrets.none;
  private runtimeCache: Runtime | undefined;
  /** stdout and stderr, redacting every write: nothing the CLI prints can skip it. */
  readonly io: CliIO;

  constructor(raw: CliIO) {
    this.io = { ...raw, stdout: redactingSink(raw.stdout, () => this.secretsValue), stderr: redactingSink(raw.stderr, () => this.secretsValue) };
  }

  /** Values read with {{env}} in the profile, with their derived forms: hidden wherever etlx prints. */
  get secrets(): Secrets {
    return this.secretsValue;
  }

  reporter(f: RawFlags, logDir?: string): Reporter {
    if (this.reporterCache) return this.reporterCache;
    const color = f.color !== false && !this.io.env.NO_COLOR && Boolean(this.io.stdout.isTTY);
    const base = createReporter({
      format: f.logFormat === 'json' ? 'json' : 'text',
      color,
      out: this.io.stdout,
      err: this.io.stderr,
      secrets: () => this.secretsValue,
      now: () => new Date(),
      invocationId: this.invocationId,
    });
    this.reporterCache = logDir
      ? new LogFileReporter(path.join(logDir, 'logs', 'etlx.log'), base, { now: () => new Date(), invocationId: this.invocationId, secrets: () => this.secretsValue })
      : base;
    return this.reporterCache;
  }

  /** One runtime per invocation (its engine registry is shared by every command step). */
  runtime(f: RawFlags): Runtime {
    const reporter = this.reporter(f);
    this.runtimeCache = this.runtimeCache
      ? { ...this.runtimeCache, reporter }
      : newRuntime({ env: this.io.env, invocationId: this.invocationId, version: ETLX_VERSION, reporter });
    return this.runtimeCache;
  }

  /** Ends output: clears a progress line and closes the log file. */
  close(): void {
    this.reporterCache?.close();
    this.reporterCache = undefined;
  }

  /**
   * `etlx compile` of an unchanged project (index.ts compileIfUnchanged): reports the project's
   * warnings as loading it would, with the log file under target/ as a session has it.
   */
  compileUnchanged(f: RawFlags): UnchangedCompile | undefined {
    this.debug = Boolean(f.debug);
    const r = compileIfUnchanged(globalOptions(f), this.runtime(f));
    if (!r) return undefined;
    // As a load reports them: before the log file opens. (A recorded project has no secrets.)
    for (const diagnostic of r.warnings) this.reporter(f).emit({ type: 'diagnostic', diagnostic });
    this.reporterCache?.close();
    this.reporterCache = undefined;
    this.reporter(f, r.targetDir);
    return r;
  }

  /** Loads the project; then re-creates the reporter with the log file under target/. */
  session(f: RawFlags): Session {
    this.debug = Boolean(f.debug);
    const s = loadProject(globalOptions(f), this.runtime(f));
    this.secretsValue = s.secrets;
    this.reporterCache?.close();
    this.reporterCache = undefined;
    const reporter = this.reporter(f, s.targetDir);
    return { ...s, runtime: { ...s.runtime, reporter } };
  }
}
