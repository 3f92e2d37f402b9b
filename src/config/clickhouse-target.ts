import { z } from 'zod';
import { envTemplate, scalar, threadCount } from './schemas.js';

/**
 * A `type: clickhouse` target after its `{{env}}` values are rendered: the HTTP URL, credentials,
 * the database models go to, and for a sharded cluster the cluster's name and every shard's URL.
 */
const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+/, 'must be an HTTP URL such as http://127.0.0.1:8123');
export const clickhouseTargetSchema = z.strictObject({
  type: z.literal('clickhouse'),
  url: httpUrl,
  user: z.string().min(1).optional(),
  password: z.string().optional(),
  database: z.string().min(1).optional(),
  cluster: z.string().min(1).optional(),
  shards: z.array(httpUrl).min(1).optional(),
  settings: z.record(z.string(), scalar).optional(),
  threads: threadCount.optional(),
});
export type RawClickHouseTarget = z.output<typeof clickhouseTargetSchema>;
export const writtenClickHouseTargetSchema = clickhouseTargetSchema.extend({ threads: z.union([threadCount, envTemplate]).optional() });

/** A `type: clickhouse` target: a server, or a cluster reached through every shard's HTTP URL. */
export interface ClickHouseTarget {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** Where models go unless they name another database (`schema` config). */
  readonly database: string;
  /** The cluster from the servers' remote_servers; with it, tables are sharded. */
  readonly cluster?: string;
  /** Every shard's HTTP URL (with `cluster`): DDL is sent to each, since ON CLUSTER needs ZooKeeper. */
  readonly shards: readonly string[];
  /** Sent with every query; join_use_nulls is 1 unless the profile says otherwise. */
  readonly settings: Readonly<Record<string, string | number | boolean | null>>;
}

/** ClickHouse fills unmatched outer-join columns with 0 and '' without it: portable SQL needs NULLs. */
export const CLICKHOUSE_DEFAULT_SETTINGS = { join_use_nulls: 1 } as const;

/** A problem with a ClickHouse target's keys, with the key it concerns (for the line). */
export interface TargetProblem {
  readonly key: string;
  readonly message: string;
  readonly hint: string;
}

export function clickhouseTargetOf(raw: RawClickHouseTarget): { value?: ClickHouseTarget; problem?: TargetProblem } {
  if (raw.cluster !== undefined && (raw.shards ?? []).length === 0) {
    return { problem: { key: 'cluster', message: `cluster "${raw.cluster}" needs shards: every shard's HTTP URL`, hint: 'list them: shards: [http://10.0.0.1:8123, http://10.0.0.2:8123] (etlx sends DDL to each; ON CLUSTER would need ZooKeeper)' } };
  }
  if (raw.cluster === undefined && (raw.shards ?? []).length > 0) {
    return { problem: { key: 'shards', message: 'shards are given without cluster', hint: 'name the cluster from the servers\' remote_servers config: cluster: <name>, or remove shards for a single server' } };
  }
  return {
    value: {
      url: raw.url,
      user: raw.user ?? 'default',
      password: raw.password ?? '',
      database: raw.database ?? 'default',
      ...(raw.cluster !== undefined ? { cluster: raw.cluster } : {}),
      shards: raw.shards ?? [],
      settings: { ...CLICKHOUSE_DEFAULT_SETTINGS, ...(raw.settings ?? {}) },
    },
  };
}

/** The server as shown to people: the URL without any credentials in it. */
export function shownClickHouseUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
