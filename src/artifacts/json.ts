import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** JSON with object keys sorted at every level, so the same data gives the same bytes. */
export function stableStringify(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

/**
 * What `sortKeys` gives, without copying what is already in order: a plain object whose own keys
 * come in sorted order and whose values need no change is returned as it is (so is such an
 * array), anything else is copied as `sortKeys` copies it. `JSON.stringify` of the result is
 * the same text as of `sortKeys(value)`, for any value; building objects with their keys in order
 * (as the manifest does) makes this a check instead of a deep copy of 10,000 nodes.
 */
export function inKeyOrder(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const w = inKeyOrder(v);
      if (out) out.push(w);
      else if (w !== v) (out = value.slice(0, i)).push(w);
    }
    return out ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  // A Date, a Map or a class instance is what sortKeys makes of it (its own keys only).
  if (proto !== Object.prototype && proto !== null) return sortKeys(value);
  const obj = value as Record<string, unknown>;
  // Switched to a copy at the first key out of order or value changed: [key, value] in the order seen.
  let copy: [string, unknown][] | undefined;
  let prev: string | undefined;
  for (const k in obj) {
    // for..in also walks inherited keys; a toJSON function would be called on the object; a copy
    // would set __proto__ instead of copying it. All three are sortKeys' to decide.
    if (!Object.hasOwn(obj, k) || k === 'toJSON' || k === '__proto__') return sortKeys(obj);
    const v = obj[k];
    const w = v === undefined ? v : inKeyOrder(v);
    if (!copy && ((prev !== undefined && k <= prev) || w !== v)) {
      // Every key before this one was in order and unchanged.
      copy = [];
      for (const before in obj) {
        if (before === k) break;
        copy.push([before, obj[before]]);
      }
    }
    if (copy) copy.push([k, w]);
    prev = k;
  }
  if (!copy) return obj;
  const out: Record<string, unknown> = {};
  for (const [k, w] of copy.sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (w !== undefined) out[k] = w;
  return out;
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Writes a file through a temporary sibling and a rename, so a reader never sees half of it. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
