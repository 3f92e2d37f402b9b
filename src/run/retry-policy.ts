import type { Node } from '../parse/nodes.js';
import { parseDuration } from '../util/duration.js';

/** The wait before a retry when a node's config gives none. */
export const DEFAULT_RETRY_DELAY_MS = 5_000;

/**
 * Whether an engine error is worth another try: DuckDB names the error's type first
 * (`IO Error: ...`). I/O errors, running out of memory and write conflicts between
 * transactions can pass; a Parser, Binder, Catalog, Constraint or Conversion error fails the
 * same way every time, so it is never retried.
 */
export function isTransient(message: string): boolean {
  const type = /^\s*([A-Za-z ]+?) Error:/.exec(message)?.[1]?.trim();
  if (type === 'IO' || type === 'Out of Memory' || type === 'HTTP') return true;
  if (type === 'TransactionContext') return /conflict/i.test(message);
  return type === undefined && /write-write conflict|Conflict on tuple/i.test(message);
}

export interface RetryPolicy {
  /** Tries after the first: 0 means the node runs once. */
  readonly retries: number;
  readonly delayMs: number;
}

/**
 * A node's retries: `--retries N` wins over the node's `retries` config (the command line
 * says what this run may do); `retry_delay` comes from the config. Under --atomic a failed
 * statement aborts the run's one transaction, so nothing can be retried there.
 */
export function retryPolicyOf(n: Node, flag: number | undefined, atomic: boolean): RetryPolicy {
  const config = n.resourceType === 'model' || n.resourceType === 'seed' ? n.config : undefined;
  const retries = atomic ? 0 : (flag ?? config?.retries ?? 0);
  const delay = config?.retry_delay !== undefined ? parseDuration(config.retry_delay) : undefined;
  return { retries, delayMs: delay ?? DEFAULT_RETRY_DELAY_MS };
}

/** Waits `ms`, waking early when `stopped()` turns true (a signal during the wait). */
export async function waitUnless(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped()) {
    const left = until - Date.now();
    if (left <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 200)));
  }
}
