import pg from 'pg';
import { PostgresStorageError } from '../errors.js';

const INT8 = 20;
const INT8_ARRAY = 1016;
const TEXT_ARRAY = 1009;

/**
 * int8 (bigint, bigserial, count(*)) as a JS number. pg returns int8 as a string because it
 * may exceed 2^53; Cairn's int8 columns are sequences, sizes and counts that stay far below,
 * and a string where the SQLite side gives a number would make crud differ per dialect. A
 * value that is not a safe integer throws (`unsafe_integer`) instead of silently rounding.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new PostgresStorageError('unsafe_integer', `int8 value ${text} is not a safe JavaScript integer (beyond ±2^53-1)`, {
      details: { value: text },
    });
  }
  return value;
}

type Nested = string | null | Nested[];
type NestedNumbers = number | null | NestedNumbers[];

function parseInt8Array(text: string): NestedNumbers {
  // pg-types' own text[] parser splits the literal (quoting, NULL, nesting); each element is then checked.
  const parseTextArray = (pg.types.getTypeParser as (oid: number, format: 'text') => (value: string) => unknown)(TEXT_ARRAY, 'text');
  const strings = parseTextArray(text) as Nested[];
  const map = (v: Nested): NestedNumbers => (v === null ? null : Array.isArray(v) ? v.map(map) : parseInt8(v));
  return strings.map(map);
}

/**
 * The type parsers of every connection Cairn opens, passed per pool (pg's `types` option)
 * rather than set on pg's process-wide defaults, so another pg user in the process is not
 * changed behind its back.
 */
export const cairnTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === INT8) return parseInt8;
      if (oid === INT8_ARRAY) return parseInt8Array;
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};
