import { describe, expect, it } from 'vitest';
import { parseProject } from '../../../src/parse/parse-project.js';
import { diagnosticsOf, memoryProject } from '../compile/memory-project.js';

describe('parseProject: a macro that includes itself', () => {
  it('is E_MACRO_RECURSION in the macro file at the call, with a hint', () => {
    const p = parseProject(
      memoryProject({
        'models/a.sql': 'select {{> outer}}',
        'macros/outer.sql': '1 +\n {{> inner}}',
        'macros/inner.sql': '{{> outer}}',
      }),
    );
    const d = p.diagnostics.filter((x) => x.code === 'E_MACRO_RECURSION');
    expect(d).toEqual([
      {
        code: 'E_MACRO_RECURSION',
        message: 'macro "inner" includes itself: inner -> outer -> inner',
        file: 'macros/inner.sql',
        line: 1,
        column: 1,
        hint: 'rendering it would never end; remove {{> outer}} or the call back to inner in outer, or put the call under a condition that ends',
      },
    ]);
  });

  it('a macro that includes itself under a condition that never ends stops at render, at the model', () => {
    const d = diagnosticsOf({ 'models/a.sql': 'select\n  {{> loop}}', 'macros/loop.sql': '{{#if target.name}}{{> loop}}{{/if}}' });
    expect(d).toMatchObject([{ code: 'E_MACRO_RECURSION', file: 'models/a.sql', line: 2, column: 3 }]);
  });
});
