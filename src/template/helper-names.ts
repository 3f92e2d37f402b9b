/**
 * The one list of helper names. The parser turns `{{name ...}}` into a call when `name` is here,
 * and compile.ts implements them as a `Record<HelperName, Helper>`, so a name cannot be added
 * here without an implementation (nor implemented without being parsed as a call).
 */
export const HELPER_NAMES = ['ref', 'source', 'var', 'env', 'config', 'lookup', 'quote', 'ident', 'eq', 'ne', 'and', 'or', 'not', 'log'] as const;

export type HelperName = (typeof HELPER_NAMES)[number];

/** Block helpers the renderer implements itself, with Handlebars' semantics. */
export const BLOCK_HELPER_NAMES = ['if', 'unless', 'each', 'with'] as const;

export type BlockHelperName = (typeof BLOCK_HELPER_NAMES)[number];

/** Helpers that are called (never looked up in the context) when written as `{{name ...}}`. */
export const HELPERS: ReadonlySet<string> = new Set<string>(HELPER_NAMES);
/** Block helpers handled by the interpreter. */
export const BLOCK_HELPERS: ReadonlySet<string> = new Set<string>(BLOCK_HELPER_NAMES);
