/**
 * JSON Schemas for editors (yaml-language-server), made from the same zod schemas that validate
 * the files, so the two cannot drift. `scripts/make-schemas.mjs` writes them into schemas/ at
 * build time; a test checks the committed files match.
 */
import { z } from 'zod';
import { writtenClickHouseTargetSchema } from './clickhouse-target.js';
import { profileSchema, projectFileSchema, propertiesFileSchema, writtenTargetSchema } from './schemas.js';

/** A profile as editors see it: a target is DuckDB's or ClickHouse's (profiles.ts checks each on its own). */
const editorProfileSchema = profileSchema.extend({ outputs: z.record(z.string(), z.union([writtenTargetSchema, writtenClickHouseTargetSchema])) });

export const SCHEMA_FILES = {
  'etlx.schema.json': { schema: projectFileSchema, title: 'etlx project file (etlx.yml)' },
  'properties.schema.json': { schema: propertiesFileSchema, title: 'etlx properties file (models/**/*.yml)' },
  'profiles.schema.json': { schema: z.record(z.string(), editorProfileSchema), title: 'etlx profiles file (profiles.yml)' },
} as const;

export type SchemaFileName = keyof typeof SCHEMA_FILES;

/** The JSON Schema documents, by file name, as text. */
export function jsonSchemaFiles(): Record<SchemaFileName, string> {
  const out = {} as Record<SchemaFileName, string>;
  for (const [file, { schema, title }] of Object.entries(SCHEMA_FILES) as [SchemaFileName, (typeof SCHEMA_FILES)[SchemaFileName]][]) {
    // io: 'input' describes what a user writes (before transforms such as severity's lower-casing).
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' });
    out[file] = `${JSON.stringify({ ...json, title }, null, 2)}\n`;
  }
  return out;
}
