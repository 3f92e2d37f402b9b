/**
 * Real ClickHouse servers for tests: Debian's clickhouse-server (18.16), started as our own
 * processes on free 127.0.0.1 ports, with generated configs and data in a temp folder, never the
 * system service. `startClickHouse()` gives one server; `startClickHouseCluster()` gives servers
 * that each list all of them as the shards of one cluster (remote_servers), with no ZooKeeper.
 * `.ci/run` installs the package when it is missing.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';

export const CLICKHOUSE_SERVER = '/usr/sbin/clickhouse-server';
/** A second user with a password, for tests that read the password from the environment. */
export const PASSWORD_USER = 'etlx';
export const PASSWORD_USER_SECRET = 'ch-test-secret-7f3a9d';

export interface ClickHouseServer {
  /** The HTTP interface, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  /** The temp folder holding this server's config, data and logs. */
  readonly dir: string;
  stop(): Promise<void>;
}

export interface ClickHouseCluster {
  /** The cluster's name in every server's remote_servers. */
  readonly name: string;
  readonly shards: readonly ClickHouseServer[];
  stop(): Promise<void>;
}

/** Fails with the install command when the server binary is missing (CI installs it). */
export function requireClickHouse(): void {
  if (!fs.existsSync(CLICKHOUSE_SERVER)) {
    throw new Error(`${CLICKHOUSE_SERVER} is missing: apt-get install -y clickhouse-server (.ci/run does this)`);
  }
}

export async function startClickHouse(): Promise<ClickHouseServer> {
  const [server] = await startServers(1, undefined);
  return server!;
}

export async function startClickHouseCluster(shardCount = 2, name = 'two'): Promise<ClickHouseCluster> {
  const shards = await startServers(shardCount, name);
  return { name, shards, stop: async () => void (await Promise.all(shards.map((s) => s.stop()))) };
}

/** Runs one statement over HTTP; returns the rows of a SELECT (JSON), or [] for other statements. */
export async function chQuery(url: string, sql: string, o: { user?: string; password?: string; database?: string; settings?: Record<string, string | number> } = {}): Promise<Record<string, unknown>[]> {
  const params = new URLSearchParams();
  if (o.database) params.set('database', o.database);
  for (const [k, v] of Object.entries(o.settings ?? {})) params.set(k, String(v));
  const headers: Record<string, string> = { 'X-ClickHouse-User': o.user ?? 'default' };
  if (o.password) headers['X-ClickHouse-Key'] = o.password;
  const isSelect = /^\s*(select|show|describe|exists)\b/i.test(sql);
  const body = isSelect ? `${sql}\nFORMAT JSON` : sql;
  const res = await fetch(`${url}/?${params}`, { method: 'POST', body, headers });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse ${res.status}: ${text.trim()}\n  in: ${sql}`);
  if (!isSelect) return [];
  return (JSON.parse(text) as { data: Record<string, unknown>[] }).data;
}

const running = new Set<ChildProcess>();
// A test worker that dies must not leave servers behind.
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

async function startServers(count: number, cluster: string | undefined): Promise<ClickHouseServer[]> {
  requireClickHouse();
  const ports = await freePorts(count * 2);
  const specs = Array.from({ length: count }, (_, i) => ({ httpPort: ports[i * 2]!, tcpPort: ports[i * 2 + 1]! }));
  const remote = cluster ? remoteServers(cluster, specs.map((s) => s.tcpPort)) : '';
  return Promise.all(specs.map((s) => startOne(s.httpPort, s.tcpPort, remote)));
}

async function startOne(httpPort: number, tcpPort: number, remoteServersXml: string): Promise<ClickHouseServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-clickhouse-'));
  const data = path.join(dir, 'data') + '/';
  fs.mkdirSync(data, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.xml'), configXml(dir, data, httpPort, tcpPort, remoteServersXml));
  fs.writeFileSync(path.join(dir, 'users.xml'), USERS_XML);
  const out = fs.openSync(path.join(dir, 'stdout.log'), 'a');
  const child = spawn(CLICKHOUSE_SERVER, [`--config-file=${path.join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  running.add(child);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    running.delete(child);
    resolve();
  }));
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async (): Promise<void> => {
    // The folder goes with the server, so there is nothing to shut down gracefully (SIGTERM takes ~8 s).
    if (!exited) {
      child.kill('SIGKILL');
      await exit;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Ready is the server answering /ping; a generous limit, since a loaded machine starts it slowly.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`clickhouse-server exited (${exited.code ?? exited.signal}) before answering; logs in ${dir}:\n${tail(dir)}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok && (await res.text()).trim() === 'Ok.') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop().catch(() => undefined);
      throw new Error(`clickhouse-server on ${url} did not answer /ping within 90 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, httpPort, tcpPort, dir, stop };
}

function tail(dir: string): string {
  const parts: string[] = [];
  for (const f of ['stdout.log', 'server.err.log']) {
    const p = path.join(dir, f);
    if (fs.existsSync(p)) parts.push(fs.readFileSync(p, 'utf8').split('\n').slice(-20).join('\n'));
  }
  return parts.join('\n');
}

/** Ports the OS hands out as free, all held at once so no two are the same. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

function remoteServers(name: string, tcpPorts: readonly number[]): string {
  const shards = tcpPorts.map((p) => `<shard><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`).join('');
  return `<remote_servers><${name}>${shards}</${name}></remote_servers>`;
}

function configXml(dir: string, data: string, httpPort: number, tcpPort: number, remoteServersXml: string): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${data}</path>
  <tmp_path>${data}tmp/</tmp_path>
  <user_files_path>${data}user_files/</user_files_path>
  <format_schema_path>${data}format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mlock_executable>false</mlock_executable>
  ${remoteServersXml}
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <${PASSWORD_USER}><password>${PASSWORD_USER_SECRET}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${PASSWORD_USER}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
