import type { ModelNode } from '../parse/nodes.js';
import type { Materialization } from './types.js';

/** Never built: compile inlines an ephemeral model into its consumers as a CTE, and the run skips it. */
export const ephemeral: Materialization<ModelNode> = {
  async run() {
    return {};
  },
};
