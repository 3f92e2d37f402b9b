/**
 * The nodes the fast parser builds: Handlebars' AST shapes (`type`, `loc.start`, and the fields
 * whitespace control and the IR builder read), so both parsers feed the same builder.
 */
export interface Loc {
  readonly start: { readonly line: number; readonly column: number };
}

export interface Strip {
  readonly open: boolean;
  readonly close: boolean;
}

export type Node = Record<string, unknown> & { type: string; loc?: Loc };

export interface Program {
  type: 'Program';
  body: Node[];
  blockParams?: string[] | undefined;
  chained?: boolean;
}
