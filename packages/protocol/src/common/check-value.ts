import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';

export interface ValidationIssue {
  /** JSON pointer into the checked value, `''` for the value itself. */
  path: string;
  message: string;
}

export type CheckResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

const validators = new WeakMap<TSchema, Validator>();
const MAX_ISSUES = 10;

/**
 * Checks a value against a schema with a compiled (and cached) validator. Never throws on a
 * bad value: the caller decides what a failure means (`invalid_params` in crud and gateway).
 */
export function checkValue<T extends TSchema>(schema: T, value: unknown): CheckResult<Static<T>> {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema) as unknown as Validator;
    validators.set(schema, validator);
  }
  if (validator.Check(value)) return { ok: true, value: value as Static<T> };
  const issues: ValidationIssue[] = [];
  for (const error of validator.Errors(value)) {
    issues.push({ path: error.instancePath, message: error.message });
    if (issues.length >= MAX_ISSUES) break;
  }
  return { ok: false, issues };
}
