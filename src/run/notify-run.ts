import { notificationInserts } from '../artifacts/history.js';
import { clickhouseNotificationInserts } from '../artifacts/history-clickhouse.js';
import type { NodeResult, RunSummary } from '../artifacts/run-results.js';
import type { RunStatusWord } from '../config/schemas.js';
import type { Connection } from '../engine/engine.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { notificationDocument, type NotificationItem } from '../report/notification-document.js';
import { notifyTiming, sendNotifications } from '../report/notify.js';
import type { Session } from '../session.js';

export interface RunOutcomeFacts {
  readonly summary: RunSummary;
  readonly status: RunStatusWord;
  /** Results with messages redacted. */
  readonly results: readonly NodeResult[];
  readonly failureOf: (id: string) => Diagnostic | undefined;
  /** A failed on-run-end hook, as a failure of its own. */
  readonly hookFailure?: { readonly index: number; readonly diagnostic: Diagnostic };
}

/**
 * `notify:` at the end of a run, after run_results: sends the document, warns about each
 * delivery that failed (naming the notification and its target), and records every delivery in
 * etlx_meta.notifications. Nothing here changes the exit code.
 */
export async function notifyRun(s: Session, c: Connection, f: RunOutcomeFacts): Promise<void> {
  const list = s.project.files.config.notify;
  if (!list || list.length === 0) return;
  const extraFailures: NotificationItem[] = f.hookFailure
    ? [
        {
          unique_id: `operation.${s.project.name}.${s.project.name}-on-run-end-${f.hookFailure.index}`,
          name: `on-run-end-${f.hookFailure.index}`,
          resource_type: 'operation',
          status: 'error',
          message: s.secrets.redact(f.hookFailure.diagnostic.message),
          file: 'etlx.yml',
          line: null,
        },
      ]
    : [];
  const doc = notificationDocument({
    project: s.project.name,
    target: s.target.name,
    command: f.summary.command,
    status: f.status,
    invocationId: f.summary.invocationId,
    startedAt: f.summary.startedAt,
    completedAt: f.summary.completedAt,
    elapsed: f.summary.elapsed,
    results: f.results,
    locate: (id) => {
      const d = f.failureOf(id);
      return { file: d?.file ?? s.project.nodes.get(id)?.path ?? null, line: d?.line ?? null };
    },
    extraFailures,
  });
  const deliveries = await sendNotifications(list, doc, { env: s.runtime.env, cwd: s.project.root, secrets: s.secrets, timing: notifyTiming(s.runtime.env) });
  const reporter = s.runtime.reporter;
  for (const d of deliveries) {
    if (d.status === 'failed') {
      reporter.emit({
        type: 'warn',
        message: `notification ${d.notification} to ${d.target} was not delivered${d.attempts > 1 ? ` after ${d.attempts} tries` : ''}: ${d.error ?? 'unknown error'}`,
        hint: 'the run itself is unaffected; the delivery is recorded in etlx_meta.notifications',
      });
    }
  }
  try {
    const inserts = s.target.type === 'clickhouse' ? clickhouseNotificationInserts : notificationInserts;
    for (const sql of inserts(f.summary.invocationId, s.runtime.now().toISOString(), deliveries, s.secrets)) await c.execute(sql);
  } catch (e) {
    reporter.emit({ type: 'warn', message: `could not record notifications in etlx_meta: ${(e as Error).message.split('\n')[0]}` });
  }
}
