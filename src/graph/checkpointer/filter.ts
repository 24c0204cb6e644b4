import type { CheckpointMetadata } from '@langchain/langgraph-checkpoint';

/**
 * `list({ filter })` semantics: every filter key must equal the metadata's value
 * at that key. Equality is structural, as in LangGraph's SQL savers (which compare
 * JSON) and its Python savers, so `{ parents: {} }` matches too. A key whose
 * filter value is `undefined` constrains nothing, as JSON cannot carry it.
 */
export function matchesFilter(metadata: CheckpointMetadata, filter: Record<string, unknown> | undefined): boolean {
  if (filter === undefined) return true;
  const fields: Record<string, unknown> = metadata;
  return Object.entries(filter).every(([key, expected]) => expected === undefined || (Object.hasOwn(fields, key) && jsonEqual(fields[key], expected)));
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}
