/** An engine error's first lines: the engine appends context a person does not need. */
export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').filter((l) => l.trim().length > 0).slice(0, 6).join('\n');
}

/** Adds a hint for SQL that needs an extension this machine cannot install. */
export function explainError(message: string): string {
  if (/httpfs|postgres_scanner|postgres|sqlite_scanner|sqlite|mysql|Extension ".*" not found|Failed to download extension|INSTALL/i.test(message) && /extension/i.test(message)) {
    return `${message}\n  hint: only DuckDB's bundled extensions (parquet, json, icu) are available here; read staging files from disk instead of remote or database scanners`;
  }
  if (/Interrupted/i.test(message)) return 'interrupted';
  return message;
}

/** A statement the engine rejected, with its text (to place the error in the model file). */
export class StatementFailure extends Error {
  constructor(
    cause: unknown,
    readonly statement: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Splits "message\n  hint: ..." text into its parts, so run-time failures carry the hint as a field. */
export function splitHint(text: string): { message: string; hint?: string } {
  const at = text.indexOf('\n  hint: ');
  return at < 0 ? { message: text } : { message: text.slice(0, at), hint: text.slice(at + '\n  hint: '.length) };
}
