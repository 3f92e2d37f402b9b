import type { DiagnosticCode } from './codes.js';

export type { DiagnosticCode } from './codes.js';

/**
 * A problem found in a project or on the command line. Diagnostics are collected and reported
 * together; `EtlxError` carries them out of the pipeline when it has to stop.
 */
export interface Diagnostic {
  /** Stable code from the catalog (errors/codes.ts), e.g. `E_REF_NOT_FOUND`; tests and JSON logs key on it. */
  readonly code: DiagnosticCode;
  readonly message: string;
  /** Project-relative path (posix) when the problem lives in a file. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** How to fix it. Every user-facing diagnostic should have one. */
  readonly hint?: string;
  readonly severity?: 'error' | 'warn';
}

/** `file:line:col` or whatever part of it is known. */
export function formatLocation(d: Pick<Diagnostic, 'file' | 'line' | 'column'>): string {
  if (!d.file) return '';
  if (d.line === undefined) return d.file;
  return d.column === undefined ? `${d.file}:${d.line}` : `${d.file}:${d.line}:${d.column}`;
}

/** One diagnostic as text: `models/a.sql:3:7 ref "x" not found (E_REF_NOT_FOUND)\n  hint: ...`. */
export function formatDiagnostic(d: Diagnostic): string {
  const loc = formatLocation(d);
  const head = `${loc ? `${loc} ` : ''}${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

export type ExitCode = 0 | 1 | 2 | 130;

/**
 * Thrown to abort. `exitCode` 2 means the project or command line is wrong and nothing was
 * executed; the CLI prints the diagnostics without a stack trace.
 */
export class EtlxError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  readonly exitCode: ExitCode;
  constructor(diagnostics: readonly Diagnostic[] | Diagnostic, exitCode: ExitCode = 2) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics as Diagnostic];
    super(list.map(formatDiagnostic).join('\n'));
    this.name = 'EtlxError';
    this.diagnostics = list;
    this.exitCode = exitCode;
  }
}

/** Throws one EtlxError holding every error-severity diagnostic, if there is any. */
export function throwIfErrors(diagnostics: readonly Diagnostic[]): void {
  const errors = diagnostics.filter((d) => d.severity !== 'warn');
  if (errors.length > 0) throw new EtlxError(errors);
}
