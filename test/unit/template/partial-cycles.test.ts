import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../../src/template/parse.js';
import { partialCycles } from '../../../src/template/partial-cycles.js';

const cyclesOf = (macros: Record<string, string>) => partialCycles(new Map(Object.entries(macros).map(([k, v]) => [k, parseTemplate(v)])));

describe('partialCycles', () => {
  it('finds a macro that includes itself, at the call', () => {
    expect(cyclesOf({ m: 'select\n  {{> m}}' })).toEqual([{ name: 'm', path: ['m', 'm'], line: 2, col: 3 }]);
  });

  it('finds a cycle through other macros once, at its first macro', () => {
    expect(cyclesOf({ c: '{{> a}}', a: 'x {{> b}}', b: '{{> c}}', d: '{{> a}}' })).toEqual([{ name: 'a', path: ['a', 'b', 'c', 'a'], line: 1, col: 3 }]);
  });

  it('leaves alone calls under a block (they may end) and calls to missing macros', () => {
    expect(cyclesOf({ tree: '{{n}}{{#each kids}}{{> tree}}{{/each}}', m: '{{> missing}}', a: '{{> b}}', b: 'leaf' })).toEqual([]);
  });
});
