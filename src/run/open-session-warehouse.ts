import type { Target } from '../config/profiles.js';
import type { Engine } from '../engine/engine.js';
import { openWarehouse } from '../engine/open.js';
import type { Session } from '../session.js';
import type { StopSignal } from './stop-signal.js';

/**
 * Opens the session's warehouse (or another target's, for --defer) with the invocation's
 * --lock-timeout: every command and pre-run step that opens a warehouse waits the same way,
 * naming the holder once.
 */
export function openSessionWarehouse(s: Session, o: { readonly mustExist?: boolean; readonly stop?: StopSignal; readonly target?: Target } = {}): Promise<Engine> {
  const lockTimeoutMs = s.options.lockTimeout ?? 0;
  return openWarehouse(o.target ?? s.target, s.project.root, s.runtime.engines, {
    ...(o.mustExist ? { mustExist: true } : {}),
    lockTimeoutMs,
    onLockWait: (message) => s.runtime.reporter.emit({ type: 'wait', reason: 'lock', message, timeout: lockTimeoutMs / 1000 }),
    stopped: () => o.stop?.requested ?? false,
  });
}
