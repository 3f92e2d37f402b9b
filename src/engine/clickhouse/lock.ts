import { hostname } from 'node:os';
import { EtlxError } from '../../errors/diagnostic.js';
import { clickhouseCode } from './errors.js';

/** What the lock needs from a server: statements, and rows back. */
export interface LockSql {
  command(sql: string): Promise<void>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
}

const TABLE = 'etlx_meta.etlx_lock';
/** How long a holder's claim lasts without a refresh: a crashed holder on another host lets it expire. */
export const LOCK_LEASE_S = 60;
const REFRESH_MS = (LOCK_LEASE_S * 1000) / 4;

interface Holder {
  readonly token: string;
  readonly host: string;
  readonly pid: number;
  readonly expired: boolean;
}

/**
 * An advisory lock for one ClickHouse target: CREATE TABLE is atomic, so the process whose
 * CREATE of etlx_meta.etlx_lock succeeds holds it. The table holds the holder's host, PID and a
 * lease it refreshes while running; a lease that ran out, or a holder on this host whose process
 * is gone (a SIGKILL), is taken over by renaming the table away (RENAME succeeds for one process).
 */
export class ClickHouseLock {
  private timer: NodeJS.Timeout | undefined;
  private readonly token = `${hostname()}-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly db: LockSql,
    private readonly shown: string,
  ) {}

  /** Takes the lock, or throws E_LOCKED naming the holder (open.ts retries for --lock-timeout). */
  async acquire(): Promise<void> {
    await this.db.command('create database if not exists etlx_meta');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.db.command(
          `create table ${TABLE} engine = Log as select '${this.token}' as token, '${esc(hostname())}' as host, toUInt32(${process.pid}) as pid, now() + ${LOCK_LEASE_S} as lease_until`,
        );
        this.timer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS);
        this.timer.unref();
        return;
      } catch (e) {
        if (clickhouseCode(e) !== 57) throw e;
      }
      const holder = await this.holder(TABLE);
      if (holder && !holder.expired) throw this.locked(holder);
      // Expired, gone, or caught between CREATE and its row: take it over by renaming it away.
      const aside = `etlx_meta.etlx_lock_expired_${this.token.replace(/[^A-Za-z0-9]/g, '_')}`;
      try {
        await this.db.command(`rename table ${TABLE} to ${aside}`);
      } catch (e) {
        if (clickhouseCode(e) === 60) continue;
        throw e;
      }
      const moved = await this.holder(aside);
      if (moved && !moved.expired && moved.token !== holder?.token) {
        // Another process took the lock between our read and the rename: give it back.
        await this.db.command(`rename table ${aside} to ${TABLE}`).catch(() => undefined);
        throw this.locked(moved);
      }
      await this.db.command(`drop table if exists ${aside}`);
    }
    throw new EtlxError({ code: 'E_LOCKED', message: `the ClickHouse target ${this.shown} is being locked and unlocked by other runs`, hint: 'run again, or with --lock-timeout' });
  }

  /** A new row with a later lease, while the table is still ours (read first: a Log table cannot be read by its own INSERT). */
  private async refresh(): Promise<void> {
    const h = await this.holder(TABLE);
    if (h?.token !== this.token) return;
    await this.db.command(`insert into ${TABLE} select '${this.token}', '${esc(hostname())}', toUInt32(${process.pid}), now() + ${LOCK_LEASE_S}`);
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const h = await this.holder(TABLE).catch(() => undefined);
    if (h?.token === this.token) await this.db.command(`drop table if exists ${TABLE}`);
  }

  private async holder(table: string): Promise<Holder | undefined> {
    let rows: Record<string, unknown>[];
    try {
      rows = await this.db.rows(
        `select argMax(token, lease_until) as token, argMax(host, lease_until) as host, argMax(pid, lease_until) as pid, max(lease_until) < now() as expired, count() as n,
                (select toUInt32(now() - metadata_modification_time) from system.tables where database = 'etlx_meta' and name = '${table.split('.')[1]}') as age
         from ${table}`,
      );
    } catch (e) {
      if (clickhouseCode(e) === 60) return undefined;
      throw e;
    }
    const r = rows[0];
    if (!r || Number(r.n) === 0) {
      // CREATE ... AS SELECT makes the table, then fills it: empty and young is a holder mid-way.
      return Number(r?.age ?? 0) > LOCK_LEASE_S ? { token: '', host: '?', pid: 0, expired: true } : { token: '', host: 'another etlx', pid: 0, expired: false };
    }
    const host = String(r.host);
    const pid = Number(r.pid);
    const gone = host === hostname() && pid !== process.pid && !alive(pid);
    return { token: String(r.token), host, pid, expired: Number(r.expired) === 1 || gone };
  }

  private locked(h: Holder): EtlxError {
    return new EtlxError({
      code: 'E_LOCKED',
      message: `the ClickHouse target ${this.shown} is locked by ${h.pid ? `${h.host} (PID ${h.pid})` : h.host}`,
      hint: `another etlx run is writing to it: wait for it, or run with --lock-timeout; a crashed holder's lock expires ${LOCK_LEASE_S}s after its last refresh`,
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
