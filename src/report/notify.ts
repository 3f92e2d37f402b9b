import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { NotifyConfig } from '../config/project-config.js';
import { parseTemplate } from '../template/parse.js';
import { render, RenderError } from '../template/render.js';
import type { Secrets } from '../util/redact.js';
import { slackMessage, type NotificationDocument } from './notification-document.js';

/** How one notification went, for the warning and etlx_meta.notifications. */
export interface Delivery {
  readonly notification: string;
  /** The URL without credentials, query or headers, or the command's argv[0]. */
  readonly target: string;
  readonly status: 'delivered' | 'failed';
  readonly attempts: number;
  readonly error: string | null;
}

export interface NotifyOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Commands run here (the project folder), so `./ops/page.sh` works. */
  readonly cwd: string;
  /** The invocation's secrets (the profile's and notify's own {{env}} values): redacted from the document like everywhere else. */
  readonly secrets: Secrets;
  readonly timing: NotifyTiming;
}

export interface NotifyTiming {
  /** Per webhook try (10 s), and a command's whole run (60 s). */
  readonly timeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly tries: number;
  /** The wait before the 2nd try; doubled before each next one. */
  readonly backoffMs: number;
}

/**
 * The contract's timings, with two test-only overrides (documented as such in the README) so a
 * test of a hanging server or of the backoff does not wait 10 s: ETLX_NOTIFY_TIMEOUT_MS and
 * ETLX_NOTIFY_BACKOFF_MS.
 */
export function notifyTiming(env: Readonly<Record<string, string | undefined>>): NotifyTiming {
  const ms = (v: string | undefined, d: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : d);
  return { timeoutMs: ms(env.ETLX_NOTIFY_TIMEOUT_MS, 10_000), commandTimeoutMs: ms(env.ETLX_NOTIFY_TIMEOUT_MS, 60_000), tries: 3, backoffMs: ms(env.ETLX_NOTIFY_BACKOFF_MS, 1_000) };
}

/** Sends the document to every notification whose `on` lists the run's status; never throws. */
export async function sendNotifications(list: readonly NotifyConfig[], doc: NotificationDocument, o: NotifyOptions): Promise<Delivery[]> {
  const chosen = list.filter((n) => n.on.includes(doc.status));
  return Promise.all(chosen.map((n) => deliver(n, doc, o)));
}

async function deliver(n: NotifyConfig, doc: NotificationDocument, o: NotifyOptions): Promise<Delivery> {
  // Every value read with {{env}} here is in o.secrets already (session.ts: notifySecretValues).
  const secrets = o.secrets;
  if (n.target.kind === 'command') {
    const argv = n.target.argv;
    const body = secrets.redactJson(`${JSON.stringify(doc, null, 2)}\n`);
    const r = await runCommand(argv, body, o.cwd, o.timing.commandTimeoutMs);
    return { notification: n.name, target: argv[0]!, status: r.error ? 'failed' : 'delivered', attempts: 1, error: r.error ? secrets.redact(r.error) : null };
  }
  let url: string;
  const headers: Record<string, string> = {};
  try {
    url = renderEnv(n.target.url, o.env, []);
    for (const [k, v] of Object.entries(n.target.headers)) headers[k] = renderEnv(v, o.env, []);
  } catch (e) {
    return { notification: n.name, target: shownUrl(n.target.url, secrets), status: 'failed', attempts: 0, error: (e as Error).message };
  }
  const shown = shownUrl(url, secrets);
  const payload = n.target.format === 'slack' ? slackMessage(doc) : doc;
  const body = secrets.redactJson(JSON.stringify(payload));
  const r = await postWithRetries(url, headers, body, o.timing);
  return { notification: n.name, target: shown, status: r.error ? 'failed' : 'delivered', attempts: r.attempts, error: r.error ? secrets.redact(r.error) : null };
}

/**
 * The environment values notify's URLs and headers read with `{{env}}`: secrets from the start
 * of the invocation, so no output, artifact or history row can carry them.
 */
export function notifySecretValues(list: readonly NotifyConfig[] | undefined, env: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  for (const n of list ?? []) {
    if (n.target.kind === 'command') continue;
    for (const text of [n.target.url, ...Object.values(n.target.headers)]) {
      try {
        renderEnv(text, env, out);
      } catch {
        // An unset variable fails the delivery later, with a warning; nothing to hide now.
      }
    }
  }
  return out;
}

/** `{{env "X"}}` (with an optional default) in a URL or header; every value read becomes a secret. */
function renderEnv(text: string, env: Readonly<Record<string, string | undefined>>, secrets: string[]): string {
  if (!text.includes('{{')) return text;
  const ir = parseTemplate(text);
  if (ir.problems.length > 0) throw new Error(`invalid template: ${ir.problems[0]!.message}`);
  try {
    return render(ir, {}, {
      partials: new Map(),
      helpers: {
        env: (args) => {
          const name = String(args[0]);
          const value = env[name] ?? (args.length > 1 ? String(args[1]) : undefined);
          if (value === undefined) throw new RenderError(`environment variable ${name} is not set`, '', 0, 0);
          if (env[name] !== undefined) secrets.push(value);
          return value;
        },
      },
    }).text;
  } catch (e) {
    if (e instanceof RenderError) throw new Error(e.message);
    throw e;
  }
}

/** A URL as it may be printed: scheme, host and path only (no user:password, query or fragment), secrets hidden. */
export function shownUrl(url: string, secrets: Secrets): string {
  try {
    const u = new URL(url);
    return secrets.redact(`${u.protocol}//${u.host}${u.pathname}`);
  } catch {
    return url.includes('{{') ? url.replace(/\{\{[\s\S]*?\}\}/g, '****') : '(not a valid URL)';
  }
}

/** POST with a timeout per try and exponential backoff; 5xx, 408, 429 and network errors are tried again. */
async function postWithRetries(url: string, headers: Record<string, string>, body: string, t: NotifyTiming): Promise<{ attempts: number; error?: string }> {
  let error = '';
  for (let attempt = 1; attempt <= t.tries; attempt++) {
    const r = await post(url, headers, body, t.timeoutMs);
    if (r.status !== undefined && r.status >= 200 && r.status < 300) return { attempts: attempt };
    error = r.error ?? `HTTP ${r.status}`;
    if (r.status !== undefined && r.status < 500 && r.status !== 408 && r.status !== 429) return { attempts: attempt, error };
    if (attempt < t.tries) await new Promise((resolve) => setTimeout(resolve, t.backoffMs * 2 ** (attempt - 1)));
  }
  return { attempts: t.tries, error };
}

function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ error: 'the webhook is not a valid URL' });
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      resolve({ error: `the webhook must be http:// or https://, not ${u.protocol}` });
      return;
    }
    let done = false;
    const finish = (r: { status?: number; error?: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    // No keep-alive agent: nothing holds the process open after the run.
    const req = (u.protocol === 'https:' ? https : http).request(u, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'etlx', ...headers },
    });
    const timer = setTimeout(() => {
      finish({ error: `no answer within ${timeoutMs / 1000}s` });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => finish({ status: res.statusCode ?? 0 }));
      res.on('error', () => finish({ status: res.statusCode ?? 0 }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code === 'ECONNREFUSED' ? 'connection refused' : e.code ? `${e.code}: ${e.message}` : e.message }));
    req.end(body);
  });
}

/** Spawns argv without a shell, the document on stdin; a non-zero exit or a timeout is a failure. */
function runCommand(argv: readonly string[], input: string, cwd: string, timeoutMs: number): Promise<{ error?: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(error ? { error } : {});
    };
    const child = spawn(argv[0]!, argv.slice(1), { cwd, shell: false, stdio: ['pipe', 'ignore', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(`did not finish within ${timeoutMs / 1000}s`);
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ENOENT' ? `${argv[0]} not found` : e.message));
    child.on('close', (code, signal) => {
      const last = stderr.trim().split('\n').pop();
      if (code === 0) finish();
      else finish(`${signal ? `killed by ${signal}` : `exit code ${code}`}${last ? `: ${last}` : ''}`);
    });
    // A command that does not read its stdin closes it early: that is not a failed delivery.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
