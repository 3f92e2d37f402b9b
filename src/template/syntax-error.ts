import type { Located, TemplateProblem } from './ir.js';

/** Handlebars' parse errors carry the position only in the message text; read it from there. */
export function syntaxProblem(e: unknown, text: string): TemplateProblem {
  const err = e as { message?: string; lineNumber?: number; column?: number };
  const msg = String(err.message ?? e);
  const m = /Parse error on line (\d+):/.exec(msg) ?? /line (\d+)/.exec(msg);
  const line = err.lineNumber ?? (m ? Number(m[1]) : 1);
  const col = (err.column ?? 0) + 1;
  const expecting = /Expecting (.*), got '([^']*)'/.exec(msg);
  let message = 'template syntax error';
  let hint = 'check that every {{ has a matching }} and every {{#block}} a matching {{/block}}';
  if (/doesn't match/.test(msg)) {
    const mm = /(\S+) doesn't match (\S+)/.exec(msg);
    message = mm ? `template block {{#${mm[1]}}} is closed by {{/${mm[2]}}}` : 'template block closed by the wrong name';
    hint = 'close each {{#name}} with {{/name}} of the same name';
  } else if (expecting) {
    const open = unclosedMustache(text);
    if (open && (expecting[2] === 'EOF' || expecting[2] === 'INVALID')) {
      return { code: 'E_TEMPLATE_SYNTAX', message: 'template tag {{ is never closed', hint: 'add the closing }}', line: open.line, col: open.col };
    }
    message = `template syntax error: unexpected ${expecting[2] === 'EOF' ? 'end of file' : `'${expecting[2]}'`}`;
    if (expecting[2] === 'EOF') {
      hint = 'a {{#block}} or a {{ is never closed; add the matching {{/block}} or }}';
      // Handlebars points at the end of the file; the useful place is the block left open.
      const open = unclosedBlock(text);
      if (open) {
        return {
          code: 'E_TEMPLATE_SYNTAX',
          message: `template block {{#${open.name}}} is never closed`,
          hint: `add {{/${open.name}}} where the block ends`,
          line: open.line,
          col: open.col,
        };
      }
    }
  } else if (msg) {
    message = `template syntax error: ${msg.split('\n')[0]}`;
  }
  return { code: 'E_TEMPLATE_SYNTAX', message, hint, line, col };
}

/** The first `{{` that is not closed by `}}` before the next `{{` or the end of the text. */
function unclosedMustache(text: string): Located | undefined {
  for (let i = text.indexOf('{{'); i >= 0; ) {
    const comment = text.startsWith('{{!--', i) || text.startsWith('{{~!--', i);
    const close = comment ? text.indexOf('--', i + 5) : text.indexOf('}}', i + 2);
    const next = text.indexOf('{{', i + 2);
    if (close < 0 || (!comment && next >= 0 && next < close)) return advance({ line: 1, col: 1 }, text.slice(0, i));
    const end = comment ? text.indexOf('}}', close) : close;
    if (end < 0) return advance({ line: 1, col: 1 }, text.slice(0, i));
    i = text.indexOf('{{', end + 2);
  }
  return undefined;
}

/**
 * The innermost `{{#name}}` (or `{{^name}}`) with no matching `{{/name}}`, found by a scan of the
 * raw text that skips comments. Only used to locate an end-of-file parse error.
 */
function unclosedBlock(text: string): { name: string; line: number; col: number } | undefined {
  const stack: { name: string; index: number }[] = [];
  const tag = /\{\{~?\s*(?:!--[\s\S]*?--~?\}\}|![\s\S]*?\}\}|([#^])\s*\*?\s*>?\s*([^\s}~()]+)|\/\s*([^\s}~]+))/g;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    if (m.index > 0 && text[m.index - 1] === '\\') continue;
    if (m[2] !== undefined) stack.push({ name: m[2], index: m.index });
    else if (m[3] !== undefined) {
      const i = stack.map((b) => b.name).lastIndexOf(m[3]);
      if (i >= 0) stack.length = i;
    }
  }
  const open = stack[stack.length - 1];
  if (!open) return undefined;
  const { line, col } = advance({ line: 1, col: 1 }, text.slice(0, open.index));
  return { name: open.name, line, col };
}

/** The location reached after reading `text` from `from`. */
export function advance(from: Located, text: string): Located {
  let { line, col } = from;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return { line, col };
}
