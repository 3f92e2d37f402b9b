import type { NodeResult } from '../artifacts/run-results.js';
import type { RunStatusWord } from '../config/schemas.js';

export const NOTIFICATION_SCHEMA = 'etlx/notification/v1';

/** One failed or warning node (or on-run-end hook) in a notification. */
export interface NotificationItem {
  readonly unique_id: string;
  readonly name: string;
  readonly resource_type: string;
  readonly status: string;
  readonly message: string | null;
  readonly file: string | null;
  readonly line: number | null;
}

/** The document every notification target receives (product.md, "Operations"). */
export interface NotificationDocument {
  readonly schema: typeof NOTIFICATION_SCHEMA;
  readonly project: string;
  readonly target: string;
  readonly command: string;
  readonly status: RunStatusWord;
  readonly invocation_id: string;
  readonly started_at: string;
  readonly completed_at: string;
  readonly elapsed: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly failures: readonly NotificationItem[];
  readonly warnings: readonly NotificationItem[];
}

export interface DocumentFacts {
  readonly project: string;
  readonly target: string;
  readonly command: string;
  readonly status: RunStatusWord;
  readonly invocationId: string;
  readonly startedAt: string;
  readonly completedAt: string;
  readonly elapsed: number;
  /** Results with messages already redacted. */
  readonly results: readonly NodeResult[];
  /** Where each node is defined, and the line of its failure when known. */
  readonly locate: (id: string) => { file: string | null; line: number | null };
  /** Failures that are not node results (a failed on-run-end hook). */
  readonly extraFailures?: readonly NotificationItem[];
}

export function notificationDocument(f: DocumentFacts): NotificationDocument {
  const counts: Record<string, number> = {};
  for (const r of f.results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const item = (r: NodeResult): NotificationItem => ({
    unique_id: r.unique_id,
    name: r.name,
    resource_type: r.resource_type,
    status: r.status,
    message: r.message ?? null,
    ...f.locate(r.unique_id),
  });
  const byId = (a: NodeResult, b: NodeResult) => (a.unique_id < b.unique_id ? -1 : a.unique_id > b.unique_id ? 1 : 0);
  const sorted = [...f.results].sort(byId);
  return {
    schema: NOTIFICATION_SCHEMA,
    project: f.project,
    target: f.target,
    command: f.command,
    status: f.status,
    invocation_id: f.invocationId,
    started_at: f.startedAt,
    completed_at: f.completedAt,
    elapsed: f.elapsed,
    counts,
    failures: [...sorted.filter((r) => r.status === 'error' || r.status === 'fail').map(item), ...(f.extraFailures ?? [])],
    warnings: sorted.filter((r) => r.status === 'warn').map(item),
  };
}

/** Slack's incoming-webhook shape: one `text` with the outcome and the first failures. */
export function slackMessage(d: NotificationDocument): { text: string } {
  const counts = Object.entries(d.counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const head = `etlx ${d.command} of ${d.project} on ${d.target}: ${d.status} in ${d.elapsed.toFixed(1)}s${counts ? ` (${counts})` : ''}`;
  const list = (items: readonly NotificationItem[], word: string) =>
    items.slice(0, 10).map((x) => `• ${word} ${x.resource_type} ${x.name}${x.file ? ` (${x.file}${x.line !== null ? `:${x.line}` : ''})` : ''}: ${(x.message ?? '').split('\n')[0]}`);
  const more = d.failures.length > 10 ? [`… and ${d.failures.length - 10} more failures`] : [];
  return { text: [head, ...list(d.failures, 'failed:'), ...more, ...list(d.warnings, 'warning:')].join('\n') };
}
