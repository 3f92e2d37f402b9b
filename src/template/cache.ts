import type { TemplateIR } from './ir.js';

/**
 * Parsed templates by file checksum; persisted under target/ so unchanged files skip parsing.
 * Declared here, next to the IR it stores, so the project loader that implements it and the
 * compiler that uses it both depend on template/ and not on each other.
 */
export interface TemplateCache {
  get(checksum: string): TemplateIR | undefined;
  set(checksum: string, ir: TemplateIR): void;
}
