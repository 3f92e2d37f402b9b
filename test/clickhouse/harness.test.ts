/**
 * The ClickHouse test harness itself: one server, and a two-shard cluster whose Distributed
 * table spreads rows over both shards. Everything else under test/clickhouse builds on it.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chQuery, PASSWORD_USER, PASSWORD_USER_SECRET, startClickHouse, startClickHouseCluster, type ClickHouseCluster, type ClickHouseServer } from '../support/clickhouse.js';

describe('ClickHouse test harness', () => {
  let server: ClickHouseServer;
  let cluster: ClickHouseCluster;

  beforeAll(async () => {
    [server, cluster] = await Promise.all([startClickHouse(), startClickHouseCluster()]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), cluster?.stop()]);
  });

  it('starts Debian 18.16 on a loopback port with its data in a temp folder', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const [row] = await chQuery(server.url, 'select version() as v');
    expect(String(row!.v)).toMatch(/^18\.16\./);
    await chQuery(server.url, 'create table default.t (x UInt8) engine = MergeTree order by tuple()');
    expect(fs.readdirSync(`${server.dir}/data/data/default`)).toContain('t');
  });

  it('has a password user for secret-handling tests, and refuses a wrong password', async () => {
    const [row] = await chQuery(server.url, 'select 42 as x', { user: PASSWORD_USER, password: PASSWORD_USER_SECRET });
    expect(Number(row!.x)).toBe(42);
    await expect(chQuery(server.url, 'select 1', { user: PASSWORD_USER, password: 'wrong' })).rejects.toThrow(/password/i);
  });

  it('forms a two-shard cluster: a Distributed table spreads rows over both shards', async () => {
    expect(cluster.shards).toHaveLength(2);
    for (const s of cluster.shards) {
      await chQuery(s.url, 'create table default.ev_local (id UInt32, v UInt32) engine = MergeTree order by id');
      const rows = await chQuery(s.url, `select count() as n from system.clusters where cluster = '${cluster.name}'`);
      expect(Number(rows[0]!.n)).toBe(2);
    }
    const first = cluster.shards[0]!.url;
    await chQuery(first, `create table default.ev as default.ev_local engine = Distributed(${cluster.name}, default, ev_local, rand())`);
    // Inserts into a Distributed table are forwarded in the background unless insert_distributed_sync is set.
    await chQuery(first, 'insert into default.ev select number, number % 7 from system.numbers limit 1000', { settings: { insert_distributed_sync: 1 } });
    const perShard = await Promise.all(cluster.shards.map(async (s) => Number((await chQuery(s.url, 'select count() as n from default.ev_local'))[0]!.n)));
    expect(perShard.every((n) => n > 0)).toBe(true);
    expect(perShard[0]! + perShard[1]!).toBe(1000);
    const [total] = await chQuery(first, 'select count() as n, sum(v) as s from default.ev');
    expect(Number(total!.n)).toBe(1000);
    expect(Number(total!.s)).toBe(Array.from({ length: 1000 }, (_, i) => i % 7).reduce((a, b) => a + b, 0));
  });

  it('stops its servers and removes their folders', async () => {
    const extra = await startClickHouse();
    await extra.stop();
    expect(fs.existsSync(extra.dir)).toBe(false);
    await expect(fetch(`${extra.url}/ping`)).rejects.toThrow();
  });
});
