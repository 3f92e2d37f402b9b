import { createReadStream } from 'node:fs';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseTarget } from '../../config/clickhouse-target.js';
import type { ClusterOps, Connection, Engine, EngineRegistry, Row } from '../engine.js';
import { queryError, unreachable } from './errors.js';
import { ClickHouseLock } from './lock.js';

export interface ClickHouseOpenOptions {
  /** The server URL as shown (no credentials). */
  readonly shown: string;
  /** Take the target's advisory lock (every open does, like DuckDB's file lock). */
  readonly lock: boolean;
}

/** Numbers as JSON numbers: etlx reads counts and sums, not 64-bit identifiers. */
const QUERY_SETTINGS = { output_format_json_quote_64bit_integers: 0 } as const;

/**
 * On a cluster: a Distributed table's insert returns before the rows reach the shards unless it
 * is synchronous (a model's readers and tests must see them); and a join or IN of two
 * Distributed tables (rows of one key are on any shard, with rand()) must read the right side
 * whole, which GLOBAL does, instead of being refused.
 */
export const CLUSTER_SETTINGS = { insert_distributed_sync: 1, distributed_product_mode: 'global' } as const;

function clientFor(url: string, t: ClickHouseTarget): ClickHouseClient {
  const settings = t.cluster ? { ...CLUSTER_SETTINGS, ...t.settings } : t.settings;
  return createClient({
    url,
    username: t.user,
    password: t.password,
    // The profile's settings go with every query (join_use_nulls among them).
    clickhouse_settings: settings as Record<string, string | number>,
    request_timeout: 3_600_000,
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/**
 * Opens (or reuses, within one invocation) the clients of a ClickHouse target: the main URL and,
 * on a cluster, every shard's. The first open takes the target's lock; the last close frees it.
 */
export async function openClickHouse(registry: EngineRegistry, t: ClickHouseTarget, o: ClickHouseOpenOptions): Promise<Engine> {
  const key = `clickhouse:${t.url}`;
  let pending = registry.get<Shared>(key);
  if (!pending) {
    pending = Shared.open(t, o);
    registry.set(key, pending);
  }
  let shared: Shared;
  try {
    shared = await pending;
  } catch (e) {
    registry.forget(key);
    throw e;
  }
  shared.users++;
  return new ClickHouseEngine(shared, () => registry.forget(key));
}

class Shared {
  users = 0;
  /** Every shard, and the main URL when it is not one of them: where DDL goes on a cluster. */
  readonly everywhere: readonly ClickHouseClient[];
  private constructor(
    readonly main: ClickHouseClient,
    readonly shards: readonly ClickHouseClient[],
    readonly version: string,
    readonly shown: string,
    readonly target: ClickHouseTarget,
    readonly lock: ClickHouseLock | undefined,
  ) {
    this.everywhere = target.shards.includes(target.url) ? shards.map((c, i) => (target.shards[i] === target.url ? main : c)) : [main, ...shards];
  }

  static async open(t: ClickHouseTarget, o: ClickHouseOpenOptions): Promise<Shared> {
    const main = clientFor(t.url, t);
    const shards = t.shards.map((u) => clientFor(u, t));
    const all = [main, ...shards];
    let version: string;
    try {
      version = String(((await (await main.query({ query: 'select version() as v', format: 'JSONEachRow' })).json()) as { v: string }[])[0]?.v ?? '');
      for (const s of shards) await s.query({ query: 'select 1', format: 'JSONEachRow' }).then((r) => r.json());
    } catch (e) {
      await Promise.all(all.map((c) => c.close()));
      throw unreachable(o.shown, e);
    }
    let lock: ClickHouseLock | undefined;
    if (o.lock) {
      lock = new ClickHouseLock({ command: (sql) => command(main, sql), rows: (sql) => rows(main, sql) }, o.shown);
      try {
        await lock.acquire();
      } catch (e) {
        await Promise.all(all.map((c) => c.close()));
        throw e;
      }
    }
    return new Shared(main, shards, version, o.shown, t, lock);
  }

  async close(): Promise<void> {
    await this.lock?.release().catch(() => undefined);
    await Promise.all([this.main, ...this.shards].map((c) => c.close()));
  }
}

/** What a connection has running on the servers: aborted and killed by interrupt(). */
interface Running {
  readonly signal: AbortSignal;
  readonly ids: Map<string, ClickHouseClient>;
}

let nextId = 0;

async function tracked<T>(c: ClickHouseClient, run: Running | undefined, work: (extra: { abort_signal?: AbortSignal; query_id?: string }) => Promise<T>): Promise<T> {
  const id = run ? `etlx-${process.pid}-${Date.now().toString(36)}-${nextId++}` : undefined;
  if (run && id) run.ids.set(id, c);
  try {
    return await work(run && id ? { abort_signal: run.signal, query_id: id } : {});
  } catch (e) {
    throw queryError(e);
  } finally {
    if (run && id) run.ids.delete(id);
  }
}

function command(c: ClickHouseClient, sql: string, run?: Running): Promise<void> {
  return tracked(c, run, async (extra) => void (await c.command({ query: sql, ...extra })));
}

function rows(c: ClickHouseClient, sql: string, run?: Running): Promise<Record<string, unknown>[]> {
  return tracked(c, run, async (extra) => {
    const r = await c.query({ query: sql, format: 'JSONEachRow', clickhouse_settings: QUERY_SETTINGS, ...extra });
    return (await r.json()) as Record<string, unknown>[];
  });
}

class ClickHouseEngine implements Engine {
  readonly version: string;
  readonly path: string;
  private closed = false;
  constructor(
    private readonly shared: Shared,
    private readonly forget: () => void,
  ) {
    this.version = `ClickHouse ${shared.version}`;
    this.path = shared.shown;
  }

  connect(): Promise<Connection> {
    return Promise.resolve(new ClickHouseConn(this.shared));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (--this.shared.users > 0) return;
    this.forget();
    await this.shared.close();
  }
}

/** HTTP is stateless: a "connection" is the target's clients plus a way to abort what it sent. */
class ClickHouseConn implements Connection {
  private abort = new AbortController();
  private readonly ids = new Map<string, ClickHouseClient>();
  private get running(): Running {
    return { signal: this.abort.signal, ids: this.ids };
  }
  readonly cluster: ClusterOps | undefined;

  constructor(private readonly s: Shared) {
    this.cluster = s.target.cluster
      ? {
          name: s.target.cluster,
          shards: s.shards.length,
          executeOnShards: async (sql) => {
            for (const c of s.everywhere) await command(c, sql, this.running);
          },
          queryOnShards: async (sql) => {
            const out: Row[][] = [];
            for (const c of s.everywhere) out.push(await rows(c, sql, this.running));
            return out;
          },
        }
      : undefined;
  }

  async execute(sql: string): Promise<number | undefined> {
    await command(this.s.main, sql, this.running);
    return undefined;
  }

  query(sql: string): Promise<Row[]> {
    return rows(this.s.main, sql, this.running);
  }

  async insertCsvFile(table: string, file: string): Promise<void> {
    try {
      await this.s.main.insert({ table, values: createReadStream(file), format: 'CSVWithNames', abort_signal: this.abort.signal });
    } catch (e) {
      throw queryError(e);
    }
  }

  /**
   * Aborts the requests, and asks each server to stop their queries: over HTTP a query goes on
   * when its client leaves.
   */
  interrupt(): void {
    this.abort.abort();
    this.abort = new AbortController();
    for (const [id, c] of this.ids) void c.command({ query: `kill query where query_id = '${id}' async` }).catch(() => undefined);
    this.ids.clear();
  }

  close(): void {
    // The clients belong to the engine; nothing is held per connection.
  }
}
