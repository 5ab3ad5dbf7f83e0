import type { GlobalOptions } from '../cli.js';

/** Prints a result as JSON (`--json`) or as the given human-readable lines. */
export function output(global: GlobalOptions, value: unknown, lines: () => string[]): void {
  if (global.json) process.stdout.write(`${JSON.stringify(value)}\n`);
  else for (const line of lines()) process.stdout.write(`${line}\n`);
}
