/** Types for generate.mjs (used by tests that need a generated project). */
export function generateProject(dir: string, options: { models: number; rows: number; seed?: number; wide?: boolean }): Promise<void>;
