/**
 * The tokens of Handlebars' lexer (handlebars 4.7, src/handlebars.l) for the subset etlx
 * supports, with the same rules tried in the same order and the same line/column bookkeeping
 * (jison's: lines end at `\r\n`, `\r` or `\n`; columns count from 0). Anything else (raw blocks,
 * `\{{` escapes, decorators, partial blocks, a character Handlebars calls INVALID, an unclosed
 * tag) returns `undefined`, and the caller parses the text with Handlebars itself.
 */

export type TokenType =
  | 'CONTENT'
  | 'COMMENT'
  | 'OPEN'
  | 'OPEN_UNESCAPED'
  | 'OPEN_BLOCK'
  | 'OPEN_INVERSE'
  | 'OPEN_INVERSE_CHAIN'
  | 'OPEN_ENDBLOCK'
  | 'OPEN_PARTIAL'
  | 'INVERSE'
  | 'CLOSE'
  | 'CLOSE_UNESCAPED'
  | 'OPEN_SEXPR'
  | 'CLOSE_SEXPR'
  | 'OPEN_BLOCK_PARAMS'
  | 'CLOSE_BLOCK_PARAMS'
  | 'EQUALS'
  | 'SEP'
  | 'ID'
  | 'DATA'
  | 'STRING'
  | 'NUMBER'
  | 'BOOLEAN'
  | 'UNDEFINED'
  | 'NULL'
  | 'EOF';

export interface Token {
  readonly t: TokenType;
  /** The token's text as the grammar sees it (`yytext` after the lexer's action). */
  readonly v: string;
  readonly line: number;
  readonly col: number;
}

// The lexer's own regular expressions, made sticky (each is anchored with ^ on the rest of the input there).
const WS = /\s+/y;
const INVERSE_CARET = /\{\{~?\^\s*~?\}\}/y;
const INVERSE_ELSE = /\{\{~?\s*else\s*~?\}\}/y;
const OPEN_CHAIN = /\{\{~?\s*else\b/y;
const LONG_COMMENT = /[\s\S]*?--~?\}\}/y;
const SHORT_COMMENT = /\{\{~?![\s\S]*?\}\}/y;
const DQ = /"(\\["]|[^"])*"/y;
const SQ = /'(\\[']|[^'])*'/y;
const TRUE = /true(?=[~}\s)])/y;
const FALSE = /false(?=[~}\s)])/y;
const UNDEF = /undefined(?=[~}\s)])/y;
const NULL = /null(?=[~}\s)])/y;
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?(?=[~}\s)])/y;
const AS = /as\s+\|/y;
const BRACKET_ID = /\[(\\\]|[^\]])*\]/y;
const DOT_ID = /\.(?=[=~}\s\/.)|])/y;
/** `.` in a regular expression stops at U+2028 and U+2029, which shifts jison's columns; NUL ends content. */
function unsupportedChars(src: string): boolean {
  return src.includes('\u0000') || src.includes('\u2028') || src.includes('\u2029');
}

/**
 * The ID rule's character class, `[^\s!"#%-,\.\/;->@\[-\^`\{-~]`, for ASCII (1: not in an ID),
 * and its lookahead, `[=~}\s\/.)|]`. Every lookahead character ends an ID, so the longest run
 * of ID characters is the match or there is none (the regular expression's backtracking finds
 * no shorter one).
 */
const NOT_ID = new Uint8Array(128);
for (const c of '\t\n\v\f\r !"#%&\'()*+,./;<=>@[\\]^`{|}~') NOT_ID[c.charCodeAt(0)] = 1;
const AFTER_ID = new Uint8Array(128);
for (const c of '=~}/.)|\t\n\v\f\r ') AFTER_ID[c.charCodeAt(0)] = 1;
const SPACE = /\s/;

function sticky(re: RegExp, src: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(src);
  return m ? m[0] : undefined;
}

/** The tokens of `src`, ending with EOF, or `undefined` when Handlebars' lexer must decide. */
export function lex(src: string): Token[] | undefined {
  if (unsupportedChars(src)) return undefined;
  const l = new Lexer(src);
  return l.run() ? l.out : undefined;
}

class Lexer {
  readonly out: Token[] = [];
  private i = 0;
  // jison's yylloc.last_line / last_column: where the next token starts.
  private line = 1;
  private col = 0;
  private readonly n: number;
  private readonly cr: boolean;

  constructor(private readonly src: string) {
    this.n = src.length;
    this.cr = src.includes('\r');
  }

  run(): boolean {
    const { src, n } = this;
    while (this.i < n) {
      const open = src.indexOf('{{', this.i);
      if (open < 0) {
        this.push('CONTENT', src.slice(this.i), n - this.i);
        break;
      }
      if (open > this.i) {
        // `\{{` and `\\{{` are escapes, handled by Handlebars' lexer.
        if (src.charCodeAt(open - 1) === 92) return false;
        this.push('CONTENT', src.slice(this.i, open), open - this.i);
      }
      if (!this.mustache()) return false;
    }
    this.out.push({ t: 'EOF', v: '', line: this.line, col: this.col });
    return true;
  }

  /** Moves to `to`, counting lines and columns as jison does (`\r\n`, `\r` and `\n` end a line). */
  private step(to: number): void {
    const src = this.src;
    if (!this.cr) {
      let nl = src.indexOf('\n', this.i);
      if (nl < 0 || nl >= to) this.col += to - this.i;
      else {
        let last = nl;
        while (nl >= 0 && nl < to) {
          this.line++;
          last = nl;
          nl = src.indexOf('\n', nl + 1);
        }
        this.col = to - last - 1;
      }
    } else {
      for (let k = this.i; k < to; k++) {
        const c = src.charCodeAt(k);
        if (c === 10 || (c === 13 && src.charCodeAt(k + 1) !== 10)) {
          this.line++;
          this.col = 0;
        } else if (c !== 13) this.col++;
      }
    }
    this.i = to;
  }

  private push(t: TokenType, v: string, len: number): void {
    this.out.push({ t, v, line: this.line, col: this.col });
    this.step(this.i + len);
  }

  /** Skips whitespace (JavaScript's `\s`, as the lexer's `\s+` rule). */
  private space(): void {
    const src = this.src;
    let k = this.i;
    for (;;) {
      const c = src.charCodeAt(k);
      if (c === 32 || (c >= 9 && c <= 13)) k++;
      else if (c >= 128 && c !== 0xffff) {
        const ws = sticky(WS, src, k);
        if (!ws) break;
        k += ws.length;
      } else break;
    }
    if (k > this.i) this.step(k);
  }

  /** The tokens from a `{{` to the token that returns the lexer to content; false to give up. */
  private mustache(): boolean {
    if (!this.openTag()) return false;
    const last = this.out[this.out.length - 1]!.t;
    // A comment or an `{{else}}` / `{{^}}` is one token: back to content.
    if (last === 'COMMENT' || last === 'INVERSE') return true;
    const src = this.src;
    for (;;) {
      this.space();
      const i = this.i;
      if (i >= this.n) return false;
      const c = src.charCodeAt(i);
      switch (c) {
        case 40: // (
          this.push('OPEN_SEXPR', '(', 1);
          continue;
        case 41: // )
          this.push('CLOSE_SEXPR', ')', 1);
          continue;
        case 125: // }
          if (src.startsWith('}}}}', i)) return false;
          if (src.startsWith('}}}', i) || src.startsWith('}~}}', i)) {
            const len = src.charCodeAt(i + 1) === 126 ? 4 : 3;
            this.push('CLOSE_UNESCAPED', src.slice(i, i + len), len);
            return true;
          }
          if (src.startsWith('}}', i)) {
            this.push('CLOSE', '}}', 2);
            return true;
          }
          return false;
        case 126: // ~
          if (!src.startsWith('~}}', i)) return false;
          this.push('CLOSE', '~}}', 3);
          return true;
        case 61: // =
          this.push('EQUALS', '=', 1);
          continue;
        case 46: // .
          if (src.charCodeAt(i + 1) === 46) this.push('ID', '..', 2);
          else if (sticky(DOT_ID, src, i)) this.push('ID', '.', 1);
          else this.push('SEP', '.', 1);
          continue;
        case 47: // /
          this.push('SEP', '/', 1);
          continue;
        case 34: // "
        case 39: {
          const s = sticky(c === 34 ? DQ : SQ, src, i);
          if (s === undefined) return false;
          const v = s.slice(1, -1).replace(c === 34 ? /\\"/g : /\\'/g, c === 34 ? '"' : "'");
          this.push('STRING', v, s.length);
          continue;
        }
        case 64: // @
          this.push('DATA', '@', 1);
          continue;
        case 124: // |
          this.push('CLOSE_BLOCK_PARAMS', '|', 1);
          continue;
        case 91: {
          // [
          const s = sticky(BRACKET_ID, src, i);
          if (s === undefined) return false;
          this.push('ID', s.replace(/\\([\\\]])/g, '$1'), s.length);
          continue;
        }
        case 123: // {
          return false;
        default:
          if (!this.word(c)) return false;
      }
    }
  }

  /** Literals, `as |`, and identifiers, in the lexer's order. */
  private word(c: number): boolean {
    const { src, i } = this;
    let m: string | undefined;
    let t: TokenType = 'ID';
    if (c === 116 && (m = sticky(TRUE, src, i))) t = 'BOOLEAN';
    else if (c === 102 && (m = sticky(FALSE, src, i))) t = 'BOOLEAN';
    else if (c === 117 && (m = sticky(UNDEF, src, i))) t = 'UNDEFINED';
    else if (c === 110 && (m = sticky(NULL, src, i))) t = 'NULL';
    else if ((c === 45 || (c >= 48 && c <= 57)) && (m = sticky(NUMBER, src, i))) t = 'NUMBER';
    else if (c === 97 && (m = sticky(AS, src, i))) t = 'OPEN_BLOCK_PARAMS';
    else {
      const end = this.idEnd(i);
      if (end < 0) return false;
      m = src.slice(i, end);
    }
    if (m === undefined) return false;
    this.push(t, m, m.length);
    return true;
  }

  /** Where the ID rule's match starting at `i` ends, or -1 when it does not match. */
  private idEnd(i: number): number {
    const src = this.src;
    let k = i;
    for (; k < this.n; k++) {
      const c = src.charCodeAt(k);
      if (c < 128 ? NOT_ID[c] === 1 : SPACE.test(src[k]!)) break;
    }
    if (k === i || k >= this.n) return -1;
    const c = src.charCodeAt(k);
    return (c < 128 ? AFTER_ID[c] === 1 : SPACE.test(src[k]!)) ? k : -1;
  }

  private tag(t: TokenType, end: number): true {
    this.push(t, this.src.slice(this.i, end), end - this.i);
    return true;
  }

  /** The token that starts at a `{{`; comments and inverse tags are whole tokens. */
  private openTag(): boolean {
    const { src, i } = this;
    const k = src.charCodeAt(i + 2) === 126 ? i + 3 : i + 2;
    switch (src.charCodeAt(k)) {
      case 62: // >
        return this.tag('OPEN_PARTIAL', k + 1);
      case 35: {
        // #: `{{#>` partial blocks and `{{#*` decorator blocks are refused by the builder; Handlebars parses them.
        const next = src.charCodeAt(k + 1);
        if (next === 62 || next === 42) return false;
        return this.tag('OPEN_BLOCK', k + 1);
      }
      case 47: // /
        return this.tag('OPEN_ENDBLOCK', k + 1);
      case 94: {
        // ^
        const inv = sticky(INVERSE_CARET, src, i);
        return inv ? this.tag('INVERSE', i + inv.length) : this.tag('OPEN_INVERSE', k + 1);
      }
      case 123: // {
        if (k === i + 2 && src.charCodeAt(k + 1) === 123) return false; // `{{{{`: a raw block
        return this.tag('OPEN_UNESCAPED', k + 1);
      case 38: // &
        return this.tag('OPEN', k + 1);
      case 33: {
        // !
        const comment = sticky(src.startsWith('!--', k) ? LONG_COMMENT : SHORT_COMMENT, src, i);
        return comment !== undefined && this.tag('COMMENT', i + comment.length);
      }
      case 42: // *: a decorator
        return false;
      default: {
        // `\s*else`: only a space or an `e` can start one.
        const c = src.charCodeAt(k);
        if (c === 101 || c === 32 || (c >= 9 && c <= 13) || c >= 128) {
          const inv = sticky(INVERSE_ELSE, src, i);
          if (inv) return this.tag('INVERSE', i + inv.length);
          const chain = sticky(OPEN_CHAIN, src, i);
          if (chain) return this.tag('OPEN_INVERSE_CHAIN', i + chain.length);
        }
        return this.tag('OPEN', k);
      }
    }
  }
}
