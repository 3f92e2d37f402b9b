/**
 * The environment variables an invocation read. The unchanged-project fingerprint covers their
 * values (a template's `{{env "REGION"}}`, a profile's `{{env}}`, ETLX_PROFILES_DIR, HOME), so a
 * change to any of them means a full compile; it must know which names were read.
 */
type Env = Readonly<Record<string, string | undefined>>;

const reads = new WeakMap<object, { readonly names: Set<string>; enumerated: boolean }>();

/** `env` as seen through a proxy that notes every name read; values and behaviour are unchanged. */
export function recordEnvReads(env: Env): Env {
  if (reads.has(env)) return env;
  const state = { names: new Set<string>(), enumerated: false };
  const note = (k: string | symbol) => {
    if (typeof k === 'string') state.names.add(k);
  };
  const proxy = new Proxy(env, {
    get: (t, k) => (note(k), Reflect.get(t, k)),
    has: (t, k) => (note(k), Reflect.has(t, k)),
    getOwnPropertyDescriptor: (t, k) => (note(k), Reflect.getOwnPropertyDescriptor(t, k)),
    // Whoever lists the environment may read any of it: the names read are then unknown.
    ownKeys: (t) => ((state.enumerated = true), Reflect.ownKeys(t)),
  });
  reads.set(proxy, state);
  return proxy;
}

/** The names read so far through `recordEnvReads`' proxy, sorted; undefined when unknown. */
export function envReadsOf(env: Env): string[] | undefined {
  const state = reads.get(env);
  if (!state || state.enumerated) return undefined;
  return [...state.names].sort();
}
