import { EtlxError } from '../../errors/diagnostic.js';

/**
 * A ClickHouse server error as people read it: `Code: 47, e.displayText() = DB::Exception:
 * Unknown identifier: x, e.what() = DB::Exception` becomes `Unknown identifier: x (ClickHouse
 * error 47)`. The client's own errors (a refused connection) keep their message.
 */
export function clickhouseMessage(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const m = /Code: (\d+), e\.displayText\(\) = DB::Exception: ([\s\S]*?)(?:, e\.what\(\) = DB::Exception)?\s*$/.exec(raw.trim());
  if (m) return `${m[2]!.trim()} (ClickHouse error ${m[1]})`;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `${raw} (${code})`;
  return raw;
}

/** The server's error code (57: table already exists, 60: unknown table, 81: unknown database). */
export function clickhouseCode(e: unknown): number | undefined {
  if (e instanceof ClickHouseQueryError) return e.serverCode;
  const raw = e instanceof Error ? e.message : String(e);
  const m = /Code: (\d+)/.exec(raw);
  return m ? Number(m[1]) : undefined;
}

export class ClickHouseQueryError extends Error {
  constructor(
    message: string,
    readonly serverCode: number | undefined,
  ) {
    super(message);
  }
}

export function queryError(e: unknown): ClickHouseQueryError {
  // interrupt() aborts the request: said as DuckDB says it, so the run reports "interrupted".
  if (e instanceof Error && (e.name === 'AbortError' || /aborted/i.test(e.message))) return new ClickHouseQueryError('Interrupted', undefined);
  return new ClickHouseQueryError(clickhouseMessage(e), clickhouseCode(e));
}

/** The server cannot be reached at open: exit 2, naming the URL (never the password). */
export function unreachable(shownUrl: string, e: unknown): EtlxError {
  return new EtlxError({
    code: 'E_CLICKHOUSE',
    message: `cannot reach the ClickHouse server ${shownUrl}: ${clickhouseMessage(e).split('\n')[0]}`,
    file: 'profiles.yml',
    hint: "check the target's url (the HTTP interface, port 8123 by default), user and password, and that the server is running",
  });
}
