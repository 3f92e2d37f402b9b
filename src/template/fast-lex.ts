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
const ID = /[^\s!"#%-,\.\/;->@\[-\^`\{-~]+(?=[=~}\s\/.)|])/y;
const BRACKET_ID = /\[(\\\]|[^\]])*\]/y;
const DOT_ID = /\.(?=[=~}\s\/.)|])/y;
/** `.` in a regular expression stops at these, which shifts jison's columns; NUL ends content. */
const UNSUPPORTED_CHARS = /[\u0000\u2028\u2029]/;

function sticky(re: RegExp, src: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(src);
  return m ? m[0] : undefined;
}

/** The tokens of `src`, ending with EOF, or `undefined` when Handlebars' lexer must decide. */
export function lex(src: string): Token[] | undefined {
  if (UNSUPPORTED_CHARS.test(src)) return undefined;
  const out: Token[] = [];
  const n = src.length;
  let i = 0;
  // jison's yylloc.last_line / last_column: where the next token starts.
  let line = 1;
  let col = 0;
  const step = (to: number): void => {
    for (let k = i; k < to; k++) {
      const c = src.charCodeAt(k);
      if (c === 10 || (c === 13 && src.charCodeAt(k + 1) !== 10)) {
        line++;
        col = 0;
      } else if (c !== 13) col++;
    }
    i = to;
  };
  const push = (t: TokenType, v: string, len: number): void => {
    out.push({ t, v, line, col });
    step(i + len);
  };

  while (i < n) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      push('CONTENT', src.slice(i), n - i);
      break;
    }
    if (open > i) {
      // `\{{` and `\\{{` are escapes, handled by Handlebars' lexer.
      if (src.charCodeAt(open - 1) === 92) return undefined;
      push('CONTENT', src.slice(i, open), open - i);
    }
    if (!mustache()) return undefined;
  }
  out.push({ t: 'EOF', v: '', line, col });
  return out;

  /** The tokens from a `{{` to the token that returns the lexer to content; false to give up. */
  function mustache(): boolean {
    if (!openTag()) return false;
    const last = out[out.length - 1]!.t;
    // A comment or an `{{else}}` / `{{^}}` is one token: back to content.
    if (last === 'COMMENT' || last === 'INVERSE') return true;
    for (;;) {
      const ws = sticky(WS, src, i);
      if (ws) step(i + ws.length);
      if (i >= n) return false;
      const c = src[i]!;
      switch (c) {
        case '(':
          push('OPEN_SEXPR', c, 1);
          continue;
        case ')':
          push('CLOSE_SEXPR', c, 1);
          continue;
        case '}':
          if (src.startsWith('}}}}', i)) return false;
          if (src.startsWith('}}}', i) || src.startsWith('}~}}', i)) {
            const len = src[i + 1] === '~' ? 4 : 3;
            push('CLOSE_UNESCAPED', src.slice(i, i + len), len);
            return true;
          }
          if (src.startsWith('}}', i)) {
            push('CLOSE', '}}', 2);
            return true;
          }
          return false;
        case '~':
          if (!src.startsWith('~}}', i)) return false;
          push('CLOSE', '~}}', 3);
          return true;
        case '=':
          push('EQUALS', c, 1);
          continue;
        case '.': {
          if (src.startsWith('..', i)) push('ID', '..', 2);
          else if (sticky(DOT_ID, src, i)) push('ID', '.', 1);
          else push('SEP', '.', 1);
          continue;
        }
        case '/':
          push('SEP', c, 1);
          continue;
        case '"':
        case "'": {
          const s = sticky(c === '"' ? DQ : SQ, src, i);
          if (s === undefined) return false;
          const v = s.slice(1, -1).replace(c === '"' ? /\\"/g : /\\'/g, c);
          push('STRING', v, s.length);
          continue;
        }
        case '@':
          push('DATA', c, 1);
          continue;
        case '|':
          push('CLOSE_BLOCK_PARAMS', c, 1);
          continue;
        case '[': {
          const s = sticky(BRACKET_ID, src, i);
          if (s === undefined) return false;
          push('ID', s.replace(/\\([\\\]])/g, '$1'), s.length);
          continue;
        }
        case '{':
          return false;
        default:
          if (!word(c)) return false;
      }
    }
  }

  /** Literals, `as |`, and identifiers, in the lexer's order. */
  function word(c: string): boolean {
    let m: string | undefined;
    let t: TokenType = 'ID';
    if (c === 't' && (m = sticky(TRUE, src, i))) t = 'BOOLEAN';
    else if (c === 'f' && (m = sticky(FALSE, src, i))) t = 'BOOLEAN';
    else if (c === 'u' && (m = sticky(UNDEF, src, i))) t = 'UNDEFINED';
    else if (c === 'n' && (m = sticky(NULL, src, i))) t = 'NULL';
    else if ((c === '-' || (c >= '0' && c <= '9')) && (m = sticky(NUMBER, src, i))) t = 'NUMBER';
    else if (c === 'a' && (m = sticky(AS, src, i))) t = 'OPEN_BLOCK_PARAMS';
    else m = sticky(ID, src, i);
    if (m === undefined) return false;
    push(t, m, m.length);
    return true;
  }

  /** The token that starts at a `{{`; comments and inverse tags are whole tokens. */
  function openTag(): boolean {
    const k = src[i + 2] === '~' ? i + 3 : i + 2;
    const c = src[k];
    const tag = (t: TokenType, end: number): true => {
      push(t, src.slice(i, end), end - i);
      return true;
    };
    switch (c) {
      case '>':
        return tag('OPEN_PARTIAL', k + 1);
      case '#':
        // `{{#>` partial blocks and `{{#*` decorator blocks are refused by the builder; Handlebars parses them.
        if (src[k + 1] === '>' || src[k + 1] === '*') return false;
        return tag('OPEN_BLOCK', k + 1);
      case '/':
        return tag('OPEN_ENDBLOCK', k + 1);
      case '^': {
        const inv = sticky(INVERSE_CARET, src, i);
        return inv ? tag('INVERSE', i + inv.length) : tag('OPEN_INVERSE', k + 1);
      }
      case '{':
        if (k === i + 2 && src[k + 1] === '{') return false; // `{{{{`: a raw block
        return tag('OPEN_UNESCAPED', k + 1);
      case '&':
        return tag('OPEN', k + 1);
      case '!': {
        const comment = sticky(src.startsWith('!--', k) ? LONG_COMMENT : SHORT_COMMENT, src, i);
        return comment !== undefined && tag('COMMENT', i + comment.length);
      }
      case '*':
        return false;
      default: {
        const inv = sticky(INVERSE_ELSE, src, i);
        if (inv) return tag('INVERSE', i + inv.length);
        const chain = sticky(OPEN_CHAIN, src, i);
        if (chain) return tag('OPEN_INVERSE_CHAIN', i + chain.length);
        return tag('OPEN', k);
      }
    }
  }
}
