import type { Loc, Node, Program, Strip } from './fast-ast.js';
import { lex, type Token, type TokenType } from './fast-lex.js';
import { stripWhitespace } from './whitespace.js';

/**
 * A hand-written parser for the Handlebars subset etlx supports, about 10x cheaper than
 * `Handlebars.parse` (issue 15). It follows Handlebars 4.7's grammar (src/handlebars.yy) and its
 * AST helpers (compiler/helpers.js) action by action, then its whitespace control, and returns
 * the nodes and fields the IR builder reads, in Handlebars' shapes. Whatever it does not handle,
 * and every text Handlebars would refuse, returns `undefined`: the caller then parses with
 * Handlebars, so syntax errors and their messages always come from Handlebars.
 * test/property/template-parser.test.ts pins the IR built from both to be identical.
 */

/** Raised for anything the fast path leaves to Handlebars. */
class Unsupported extends Error {}

/** The parsed and whitespace-controlled program, or `undefined` when Handlebars must parse `text`. */
export function fastParse(text: string): hbs.AST.Program | undefined {
  const tokens = lex(text);
  if (!tokens) return undefined;
  try {
    const p = new Parser(tokens);
    const root = p.program();
    p.expect('EOF');
    stripWhitespace(root);
    return root as unknown as hbs.AST.Program;
  } catch {
    // Unsupported, or what Handlebars would stumble on too (its own TypeError included): let it.
    return undefined;
  }
}

/** Handlebars' `stripFlags`: a `~` just inside the opening or closing braces. */
function stripFlags(open: string, close: string): Strip {
  return { open: open.charAt(2) === '~', close: close.charAt(close.length - 3) === '~' };
}

const BRACKETED = /^\[.*\]$/;
/** Handlebars' `id`: `[name]` is `name` (its `.` stops at a line break, so this regex and no other test). */
function id(token: string): string {
  return BRACKETED.test(token) ? token.substring(1, token.length - 1) : token;
}

function loc(t: Token): Loc {
  return { start: { line: t.line, column: t.col } };
}

const STATEMENT: ReadonlySet<TokenType> = new Set<TokenType>(['CONTENT', 'COMMENT', 'OPEN', 'OPEN_UNESCAPED', 'OPEN_BLOCK', 'OPEN_INVERSE', 'OPEN_PARTIAL']);
const PARAM: ReadonlySet<TokenType> = new Set<TokenType>(['ID', 'DATA', 'STRING', 'NUMBER', 'BOOLEAN', 'UNDEFINED', 'NULL', 'OPEN_SEXPR']);

interface OpenTag {
  readonly open?: string;
  readonly path: Node;
  readonly params: Node[];
  readonly hash: Node | undefined;
  readonly blockParams: string[] | undefined;
  readonly strip: Strip;
}
interface InverseTail {
  readonly strip: Strip;
  readonly program: Program;
  readonly chain?: true;
}

class Parser {
  private p = 0;
  constructor(private readonly toks: readonly Token[]) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.p + k, this.toks.length - 1)]!;
  }

  expect(t: TokenType): Token {
    const tok = this.peek();
    if (tok.t !== t) throw new Unsupported(t);
    this.p++;
    return tok;
  }

  /** `program: statement*` */
  program(): Program {
    const body: Node[] = [];
    while (STATEMENT.has(this.peek().t)) body.push(this.statement());
    return { type: 'Program', body };
  }

  private statement(): Node {
    const tok = this.toks[this.p++]!;
    switch (tok.t) {
      case 'CONTENT':
        return { type: 'ContentStatement', original: tok.v, value: tok.v, loc: loc(tok) };
      case 'COMMENT':
        return { type: 'CommentStatement', strip: stripFlags(tok.v, tok.v), loc: loc(tok) };
      case 'OPEN':
      case 'OPEN_UNESCAPED': {
        const path = this.helperName();
        const params = this.params();
        const hash = this.hash();
        const close = this.expect(tok.t === 'OPEN' ? 'CLOSE' : 'CLOSE_UNESCAPED');
        return { type: 'MustacheStatement', path, params, hash, strip: stripFlags(tok.v, close.v), loc: loc(tok) };
      }
      case 'OPEN_PARTIAL': {
        if (this.peek().t === 'OPEN_SEXPR') throw new Unsupported('dynamic partial');
        const name = this.helperName();
        const params = this.params();
        const hash = this.hash();
        const close = this.expect('CLOSE');
        return { type: 'PartialStatement', name, params, hash, indent: '', strip: stripFlags(tok.v, close.v), loc: loc(tok) };
      }
      case 'OPEN_BLOCK':
      case 'OPEN_INVERSE': {
        const inverted = tok.t === 'OPEN_INVERSE';
        const open = this.openTag(tok);
        const program = this.program();
        const next = this.peek().t;
        const tail = next === 'INVERSE' || (next === 'OPEN_INVERSE_CHAIN' && !inverted) ? this.inverseChain() : undefined;
        const end = this.expect('OPEN_ENDBLOCK');
        const path = this.helperName();
        const close = { path, strip: stripFlags(end.v, this.expect('CLOSE').v) };
        return prepareBlock(open, program, tail, close, inverted, loc(tok));
      }
      default:
        throw new Unsupported(tok.t);
    }
  }

  /** `openBlock`, `openInverse` and `openInverseChain`: `helperName param* hash? blockParams? CLOSE`. */
  private openTag(tok: Token): OpenTag {
    const path = this.helperName();
    const params = this.params();
    const hash = this.hash();
    let blockParams: string[] | undefined;
    if (this.peek().t === 'OPEN_BLOCK_PARAMS') {
      this.p++;
      blockParams = [id(this.expect('ID').v)];
      while (this.peek().t === 'ID') blockParams.push(id(this.toks[this.p++]!.v));
      this.expect('CLOSE_BLOCK_PARAMS');
    }
    const strip = stripFlags(tok.v, this.expect('CLOSE').v);
    // Only `openBlock` keeps its opening token (Handlebars reads a decorator's `*` from it).
    return tok.t === 'OPEN_BLOCK' ? { open: tok.v, path, params, hash, blockParams, strip } : { path, params, hash, blockParams, strip };
  }

  /** `inverseChain: openInverseChain program inverseChain? | inverseAndProgram` */
  private inverseChain(): InverseTail {
    const tok = this.toks[this.p++]!;
    if (tok.t === 'INVERSE') return { strip: stripFlags(tok.v, tok.v), program: this.program() };
    const open = this.openTag(tok);
    const program = this.program();
    const next = this.peek().t;
    const tail = next === 'INVERSE' || next === 'OPEN_INVERSE_CHAIN' ? this.inverseChain() : undefined;
    const block = prepareBlock(open, program, tail, tail, false, loc(tok));
    return { strip: open.strip, program: { type: 'Program', body: [block], chained: true }, chain: true };
  }

  private params(): Node[] {
    const out: Node[] = [];
    while (PARAM.has(this.peek().t) && !(this.peek().t === 'ID' && this.peek(1).t === 'EQUALS')) out.push(this.param());
    return out;
  }

  private param(): Node {
    const tok = this.peek();
    if (tok.t !== 'OPEN_SEXPR') return this.helperName();
    this.p++;
    const path = this.helperName();
    const params = this.params();
    const hash = this.hash();
    this.expect('CLOSE_SEXPR');
    return { type: 'SubExpression', path, params, hash, loc: loc(tok) };
  }

  /** `hash: (ID EQUALS param)+`, or `undefined` when there is none. */
  private hash(): Node | undefined {
    if (!(this.peek().t === 'ID' && this.peek(1).t === 'EQUALS')) return undefined;
    const pairs: Node[] = [];
    const first = this.peek();
    while (this.peek().t === 'ID' && this.peek(1).t === 'EQUALS') {
      const key = this.toks[this.p]!;
      this.p += 2;
      pairs.push({ type: 'HashPair', key: id(key.v), value: this.param(), loc: loc(key) });
    }
    return { type: 'Hash', pairs, loc: loc(first) };
  }

  private helperName(): Node {
    const tok = this.toks[this.p++]!;
    switch (tok.t) {
      case 'ID':
        this.p--;
        return this.path(false, tok);
      case 'DATA':
        return this.path(true, tok);
      case 'STRING':
        return { type: 'StringLiteral', value: tok.v, original: tok.v, loc: loc(tok) };
      case 'NUMBER':
        return { type: 'NumberLiteral', value: Number(tok.v), original: Number(tok.v), loc: loc(tok) };
      case 'BOOLEAN':
        return { type: 'BooleanLiteral', value: tok.v === 'true', original: tok.v === 'true', loc: loc(tok) };
      case 'UNDEFINED':
        return { type: 'UndefinedLiteral', value: undefined, original: undefined, loc: loc(tok) };
      case 'NULL':
        return { type: 'NullLiteral', value: null, original: null, loc: loc(tok) };
      default:
        throw new Unsupported(tok.t);
    }
  }

  /** `pathSegments: ID (SEP ID)*`, then Handlebars' `preparePath`. */
  private path(data: boolean, start: Token): Node {
    let original = data ? '@' : '';
    const parts: string[] = [];
    let depth = 0;
    let sep = '';
    for (;;) {
      const raw = this.expect('ID').v;
      const part = id(raw);
      original += sep + part;
      if (raw === part && (part === '..' || part === '.' || part === 'this')) {
        if (parts.length > 0) throw new Unsupported(`Invalid path: ${original}`);
        if (part === '..') depth++;
      } else parts.push(part);
      if (this.peek().t !== 'SEP') break;
      sep = this.toks[this.p++]!.v;
    }
    return { type: 'PathExpression', data, depth, parts, original, loc: loc(start) };
  }
}

/** Handlebars' `prepareBlock`, including its handling of `{{else if}}` chains and `{{^x}}`. */
function prepareBlock(open: OpenTag, program: Program, tail: InverseTail | undefined, close: { path?: Node; strip: Strip } | undefined, inverted: boolean, at: Loc): Node {
  if (close?.path && (open.path as { original?: unknown }).original !== (close.path as { original?: unknown }).original) throw new Unsupported("doesn't match");
  program.blockParams = open.blockParams;
  let inverse: Program | undefined;
  let inverseStrip: Strip | undefined;
  if (tail) {
    if (tail.chain) (tail.program.body[0] as Node).closeStrip = close!.strip;
    inverseStrip = tail.strip;
    inverse = tail.program;
  }
  let main: Program | undefined = program;
  if (inverted) [main, inverse] = [inverse, program];
  return { type: 'BlockStatement', path: open.path, params: open.params, hash: open.hash, program: main, inverse, openStrip: open.strip, inverseStrip, closeStrip: close?.strip, loc: at };
}
