import type { Node, Program, Strip } from './fast-ast.js';

/**
 * Handlebars 4.7's WhitespaceControl (compiler/whitespace-control.js), statement by statement, on
 * the fast parser's nodes: `~` strips whitespace next to a tag, and a block, `{{else}}`, partial or
 * comment alone on its line takes the line with it (a partial keeps its indent). The regular
 * expressions are Handlebars' own; keep them so.
 */

interface Content {
  type: 'ContentStatement';
  original: string;
  value: string;
  rightStripped?: boolean;
  leftStripped?: boolean;
}

interface StandaloneStrip {
  readonly open?: boolean;
  readonly close?: boolean;
  readonly openStandalone?: boolean;
  readonly closeStandalone?: boolean;
  readonly inlineStandalone?: boolean;
}

interface Block {
  type: 'BlockStatement';
  program?: Program;
  inverse?: Program;
  openStrip: Strip;
  inverseStrip?: Strip;
  closeStrip: Strip;
}

export function stripWhitespace(root: Program): void {
  program(root, true);
}

function program(p: Program, isRoot: boolean): void {
  const body = p.body;
  for (let i = 0, l = body.length; i < l; i++) {
    const current = body[i]!;
    const strip = accept(current);
    if (!strip) continue;
    const prevWs = isPrevWhitespace(body, i, isRoot);
    const nextWs = isNextWhitespace(body, i, isRoot);
    const openStandalone = strip.openStandalone && prevWs;
    const closeStandalone = strip.closeStandalone && nextWs;
    const inlineStandalone = strip.inlineStandalone && prevWs && nextWs;
    if (strip.close) omitRight(body, i, true);
    if (strip.open) omitLeft(body, i, true);
    if (inlineStandalone) {
      omitRight(body, i);
      if (omitLeft(body, i)) {
        // A partial alone on its line: the indent of that line is kept for every line it renders.
        if (current.type === 'PartialStatement') {
          const m = /(?:^|[^ \t])([ \t]+)$/.exec((body[i - 1] as unknown as Content).original);
          if (!m) throw new TypeError('no indent');
          current.indent = m[1];
        }
      }
    }
    if (openStandalone) {
      const b = current as unknown as Block;
      omitRight((b.program || b.inverse)!.body);
      omitLeft(body, i);
    }
    if (closeStandalone) {
      const b = current as unknown as Block;
      omitRight(body, i);
      omitLeft((b.inverse || b.program)!.body);
    }
  }
}

function accept(node: Node): StandaloneStrip | undefined {
  switch (node.type) {
    case 'BlockStatement':
      return block(node as unknown as Block);
    case 'MustacheStatement':
      return node.strip as Strip;
    case 'PartialStatement':
    case 'CommentStatement': {
      const strip = node.strip as Strip;
      return { inlineStandalone: true, open: strip.open, close: strip.close };
    }
    default:
      return undefined;
  }
}

function block(b: Block): StandaloneStrip {
  if (b.program) program(b.program, false);
  if (b.inverse) program(b.inverse, false);
  const main = (b.program || b.inverse)!;
  const inverse = b.program && b.inverse;
  let firstInverse = inverse;
  let lastInverse = inverse;
  if (inverse && inverse.chained) {
    firstInverse = (inverse.body[0] as unknown as Block).program;
    while (lastInverse!.chained) lastInverse = (lastInverse!.body[lastInverse!.body.length - 1] as unknown as Block).program;
  }
  const strip: StandaloneStrip = {
    open: b.openStrip.open,
    close: b.closeStrip.close,
    openStandalone: isNextWhitespace(main.body),
    closeStandalone: isPrevWhitespace((firstInverse || main).body),
  };
  if (b.openStrip.close) omitRight(main.body, null, true);
  if (inverse) {
    const inverseStrip = b.inverseStrip!;
    if (inverseStrip.open) omitLeft(main.body, null, true);
    if (inverseStrip.close) omitRight(firstInverse!.body, null, true);
    if (b.closeStrip.open) omitLeft(lastInverse!.body, null, true);
    // A standalone {{else}}.
    if (isPrevWhitespace(main.body) && isNextWhitespace(firstInverse!.body)) {
      omitLeft(main.body);
      omitRight(firstInverse!.body);
    }
  } else if (b.closeStrip.open) omitLeft(main.body, null, true);
  return strip;
}

function isPrevWhitespace(body: readonly Node[], i?: number, isRoot?: boolean): boolean | undefined {
  if (i === undefined) i = body.length;
  const prev = body[i - 1];
  const sibling = body[i - 2];
  if (!prev) return isRoot;
  if (prev.type === 'ContentStatement') {
    return (sibling || !isRoot ? /(?:^|\S)[^\S\n]*\n\s*$/ : /^\s*$|(?:^|\S)[^\S\n]*\n\s*$/).test((prev as unknown as Content).original);
  }
  return undefined;
}

function isNextWhitespace(body: readonly Node[], i?: number, isRoot?: boolean): boolean | undefined {
  if (i === undefined) i = -1;
  const next = body[i + 1];
  const sibling = body[i + 2];
  if (!next) return isRoot;
  if (next.type === 'ContentStatement') {
    return (sibling || !isRoot ? /^\s*?\r?\n/ : /^\s*?(\r?\n|$)/).test((next as unknown as Content).original);
  }
  return undefined;
}

function omitRight(body: readonly Node[], i?: number | null, multiple?: boolean): void {
  const current = body[i == null ? 0 : i + 1] as unknown as Content | undefined;
  if (!current || current.type !== 'ContentStatement' || (!multiple && current.rightStripped)) return;
  const original = current.value;
  current.value = current.value.replace(multiple ? /^\s+/ : /^[ \t]*\r?\n?/, '');
  current.rightStripped = current.value !== original;
}

function omitLeft(body: readonly Node[], i?: number | null, multiple?: boolean): boolean | undefined {
  const current = body[i == null ? body.length - 1 : i - 1] as unknown as Content | undefined;
  if (!current || current.type !== 'ContentStatement' || (!multiple && current.leftStripped)) return undefined;
  const original = current.value;
  current.value = current.value.replace(multiple ? /(^|\S)\s+$/ : /(^|[^ \t])[ \t]+$/, '$1');
  current.leftStripped = current.value !== original;
  return current.leftStripped;
}
