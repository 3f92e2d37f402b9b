import { relationOf } from '../compile/compile.js';
import type { Session } from '../session.js';
import { selectIds } from './selection.js';

export type LsOutput = 'name' | 'path' | 'json';

/** The selected resources, one per line (or one JSON object per line), in a stable order. */
export function listResources(s: Session, output: LsOutput, resourceTypes: readonly string[] = []): string[] {
  const ids = [...selectIds(s)].sort();
  const lines: string[] = [];
  for (const id of ids) {
    const n = s.project.nodes.get(id)!;
    if (resourceTypes.length > 0 && !resourceTypes.includes(n.resourceType)) continue;
    switch (output) {
      case 'name':
        lines.push(n.resourceType === 'source' ? `${n.sourceName}.${n.name}` : n.name);
        break;
      case 'path':
        lines.push(n.path);
        break;
      case 'json':
        lines.push(
          JSON.stringify({
            unique_id: id,
            resource_type: n.resourceType,
            name: n.name,
            path: n.path,
            tags: n.tags,
            ...(n.resourceType === 'model' ? { materialized: n.config.materialized, relation: relationOf(s.project, s.ctx, id) } : {}),
            ...(n.resourceType === 'seed' || n.resourceType === 'snapshot' ? { relation: relationOf(s.project, s.ctx, id) } : {}),
            ...(n.resourceType === 'unit_test' ? { attached_node: n.model } : {}),
            ...(n.resourceType === 'source' ? { source_name: n.sourceName } : {}),
            ...(n.resourceType === 'test' ? { attached_node: n.attachedTo } : {}),
          }),
        );
        break;
      default: {
        const never: never = output;
        void never;
      }
    }
  }
  return output === 'path' ? [...new Set(lines)] : lines;
}
