import { PROJECTION_LIMITS } from './projection-types.js';

/** The shape of a JSON value: its type, and for containers their keys or items, bounded. */
export type JsonShape =
  | { type: 'null' | 'boolean' | 'number' | 'string' }
  | { type: 'array'; length: number; item_types: string[]; items?: JsonShape; truncated?: true }
  | { type: 'object'; key_count: number; keys: Record<string, JsonShape>; truncated?: true };

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Summarises a parsed JSON value: depth at most 4, at most 64 keys per object, the first 100
 * items of an array looked at (their distinct types, and the shape of the first container).
 * Deeper or wider parts are marked `truncated`, so the summary stays small whatever the file.
 */
export function summarizeJson(value: unknown, depth = 0): JsonShape {
  const type = typeOf(value);
  if (type === 'array') {
    const items = value as unknown[];
    const sample = items.slice(0, PROJECTION_LIMITS.jsonSummaryItems);
    const itemTypes = [...new Set(sample.map(typeOf))].sort();
    const shape: JsonShape = { type: 'array', length: items.length, item_types: itemTypes };
    const first = sample.find((v) => typeof v === 'object' && v !== null);
    if (depth + 1 < PROJECTION_LIMITS.jsonSummaryDepth && first !== undefined) shape.items = summarizeJson(first, depth + 1);
    else if (first !== undefined || items.length > sample.length) shape.truncated = true;
    return shape;
  }
  if (type === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const keys: Record<string, JsonShape> = {};
    const deeper = depth + 1 < PROJECTION_LIMITS.jsonSummaryDepth;
    let truncated = entries.length > PROJECTION_LIMITS.jsonSummaryKeys;
    for (const [key, child] of entries.slice(0, PROJECTION_LIMITS.jsonSummaryKeys)) {
      const childType = typeOf(child);
      if (!deeper && (childType === 'array' || childType === 'object')) {
        keys[key] = { type: childType } as JsonShape;
        truncated = true;
      } else keys[key] = summarizeJson(child, depth + 1);
    }
    return { type: 'object', key_count: entries.length, keys, ...(truncated ? { truncated: true as const } : {}) };
  }
  return { type: type as 'null' | 'boolean' | 'number' | 'string' };
}
