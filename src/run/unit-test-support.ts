import { renderModelSql } from '../compile/compile.js';
import { unitTestContext } from '../compile/unit-test-check.js';
import { fileReader, modelTarget, seedTarget, snapshotTarget, sourceRelation } from '../compile/relations.js';
import { openScratch } from '../engine/open.js';
import { seedReader } from '../materialize/seed.js';
import { NodeFailure, type ScratchDatabase, type UnitTestInput, type UnitTestSupport } from '../materialize/types.js';
import type { ModelNode, Node } from '../parse/nodes.js';
import type { Session } from '../session.js';
import { RenderError } from '../template/render.js';
import type { StopSignal } from './stop-signal.js';

/**
 * What unit tests need from the run: a private database each, the compiler with fixture
 * relations substituted (a hook in the compile context, not string replacement), and what is
 * known of each input without reading its data. The stop signal interrupts a scratch query like
 * a warehouse one.
 */
export function unitTestSupport(s: Session, stop?: StopSignal): UnitTestSupport {
  const p = s.project;
  return {
    async openScratch(): Promise<ScratchDatabase> {
      const engine = await openScratch();
      const c = await engine.connect();
      stop?.track(c);
      // The check and the call share one tick: a signal before it is seen here, one after it
      // interrupts the running query (DuckDB drops an interrupt that comes before the query).
      const started = <T>(work: () => Promise<T>): Promise<T> => {
        if (stop?.requested) return Promise.reject(new NodeFailure({ code: 'E_INTERRUPTED', message: 'interrupted' }));
        return work();
      };
      return {
        execute: async (sql) => void (await started(() => c.execute(sql))),
        query: (sql) => started(() => c.query(sql)),
        close: async () => {
          stop?.untrack(c);
          c.close();
          await engine.close();
        },
      };
    },
    render(modelId, relationFor, o) {
      const model = p.nodes.get(modelId) as ModelNode;
      try {
        return renderModelSql(p, unitTestContext(s.ctx, o, relationFor), model);
      } catch (e) {
        if (e instanceof RenderError) throw new NodeFailure({ code: e.code, message: e.message, file: model.path, line: e.line, column: e.col, hint: e.hint });
        throw e;
      }
    },
    inputsOf(modelId) {
      return p.dag
        .parents(modelId)
        .map((id) => inputOf(p.nodes.get(id)!, s.target.schema))
        .filter((x): x is UnitTestInput => x !== undefined);
    },
    selfOf(modelId) {
      const m = p.nodes.get(modelId);
      return m?.resourceType === 'model' && (m.mat.kind === 'incremental' || m.mat.kind === 'table' || m.mat.kind === 'view') ? modelTarget(m, s.target.schema) : undefined;
    },
  };
}

function inputOf(n: Node, schema: string): UnitTestInput | undefined {
  const ref = { id: n.id, key: `ref:${n.name}`, shown: `ref('${n.name}')` };
  switch (n.resourceType) {
    case 'model':
      if (n.mat.kind === 'file') return { ...ref, reader: fileReader(n.mat), model: true };
      return { ...ref, ...(n.mat.kind === 'ephemeral' ? {} : { warehouse: modelTarget(n, schema) }), model: true };
    case 'seed':
      return { ...ref, warehouse: seedTarget(n, schema), reader: seedReader(n) };
    case 'snapshot':
      return { ...ref, warehouse: snapshotTarget(n, schema) };
    case 'source': {
      const src = { id: n.id, key: `source:${n.sourceName}.${n.name}`, shown: `source('${n.sourceName}', '${n.name}')` };
      return n.kind === 'table' ? { ...src, warehouse: { schema: n.schema ?? n.sourceName, identifier: n.identifier } } : { ...src, reader: sourceRelation(n) };
    }
    default:
      return undefined;
  }
}
