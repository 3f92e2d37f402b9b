import { describe, expect, it } from 'vitest';
import { parseYamlFile } from '../../../src/config/yaml-file.js';
import type { Diagnostic } from '../../../src/errors/diagnostic.js';
import { renderPropertyValues } from '../../../src/parse/property-values.js';

const ctx = { target: { name: 'prod', schema: 'analytics', type: 'duckdb', profile_name: 'p', threads: 4 }, vars: { region: 'eu' }, env: { BUCKET: 'b1' } };

function renderYaml(text: string): { data: unknown; templated: ReadonlyMap<string, string>; diagnostics: Diagnostic[] } {
  const { yaml } = parseYamlFile(text, 'models/p.yml');
  const diagnostics: Diagnostic[] = [];
  const r = renderPropertyValues(yaml!, yaml!.data, ctx, diagnostics);
  return { ...r, diagnostics };
}

describe('templated properties values', () => {
  it('renders var, env and target in models, seeds and sources; keeps prose, names and hooks as written', () => {
    const r = renderYaml(
      [
        'sources:',
        '  - name: raw',
        '    schema: "{{ target.schema }}"',
        '    description: "{{ not rendered }}"',
        '    tables:',
        '      - name: t',
        '        location: "s3/{{env \\"BUCKET\\"}}/{{var \\"region\\"}}/*.parquet"',
        'models:',
        '  - name: m',
        '    config:',
        '      location: "exports/{{target.name}}/m.parquet"',
        '      pre_hook: "select * from {{self}}"',
        'other: "{{ untouched }}"',
      ].join('\n'),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.data).toEqual({
      sources: [{ name: 'raw', schema: 'analytics', description: '{{ not rendered }}', tables: [{ name: 't', location: 's3/b1/eu/*.parquet' }] }],
      models: [{ name: 'm', config: { location: 'exports/prod/m.parquet', pre_hook: 'select * from {{self}}' } }],
      other: '{{ untouched }}',
    });
    expect([...r.templated.keys()]).toEqual(['sources.0.schema', 'sources.0.tables.0.location', 'models.0.config.location']);
  });

  it('an unknown name, a missing var and a helper that means nothing here are errors at the line', () => {
    const r = renderYaml(['models:', '  - name: m', '    config:', '      schema: "{{target.nmae}}"', '      alias: "{{var \\"regoin\\"}}"', '      location: "{{ref \\"x\\"}}"'].join('\n'));
    expect(r.diagnostics.map((d) => [d.code, d.line, d.message])).toEqual([
      ['E_TEMPLATE_RENDER', 4, 'models.0.config.schema: unknown name {{target.nmae}}; did you mean {{target.name}}?'],
      ['E_VAR_MISSING', 5, 'models.0.config.alias: var "regoin" has no value; did you mean "region"?'],
      ['E_TEMPLATE_RENDER', 6, 'models.0.config.location: {{ref}} cannot be used in a properties value'],
    ]);
  });
});
