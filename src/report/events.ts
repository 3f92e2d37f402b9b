import type { Diagnostic } from '../errors/diagnostic.js';

/** Everything etlx tells a person or a machine goes through one of these events. */
export type EtlxEvent =
  | { readonly type: 'info'; readonly message: string }
  | { readonly type: 'warn'; readonly message: string; readonly hint?: string; readonly file?: string; readonly line?: number }
  | { readonly type: 'diagnostic'; readonly diagnostic: Diagnostic }
  /** Something is held, told once when the wait starts: the warehouse lock, or a model's late staging files. */
  | { readonly type: 'wait'; readonly reason: 'lock' | 'source'; readonly message: string; readonly unique_id?: string; readonly timeout: number }
  | { readonly type: 'run_start'; readonly command: string; readonly total: number; readonly target: string; readonly warehouse: string }
  | {
      readonly type: 'node_start';
      readonly index: number;
      readonly total: number;
      readonly unique_id: string;
      readonly description: string;
    }
  | {
      readonly type: 'node_end';
      readonly index: number;
      readonly total: number;
      readonly unique_id: string;
      readonly resource_type: string;
      readonly status: string;
      readonly description: string;
      readonly rows?: number;
      readonly failures?: number;
      readonly elapsed: number;
      readonly message?: string;
      /** A failure's location and hint as fields (the message says them too, for people). */
      readonly diagnostic?: Diagnostic;
      /** The node's file, on a failure (the recap at the end names it). */
      readonly file?: string;
      /** A failing test's first failing rows. */
      readonly sample?: { readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[] };
    }
  | {
      readonly type: 'run_end';
      readonly command: string;
      readonly elapsed: number;
      readonly counts: Readonly<Record<string, number>>;
      readonly exit_code: number;
    }
  | { readonly type: 'table'; readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[] };

export interface Reporter {
  emit(event: EtlxEvent): void;
  /** Live progress on a TTY: what is running now. Ignored elsewhere. */
  progress(text: string): void;
  close(): void;
}
