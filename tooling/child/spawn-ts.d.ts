import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
export declare function spawnTs(script: string, args?: string[], options?: SpawnOptions): ChildProcess;
export declare function spawnTsWith(prefix: string[], script: string, args?: string[], options?: SpawnOptions): ChildProcess;
export declare function runTs(
  script: string,
  args?: string[],
  options?: SpawnOptions,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
export declare function runUntilKilled(
  script: string,
  args: string[],
  options: { onLine: (line: string) => void; ready: () => boolean; maxDelayMs: number; giveUpMs?: number },
): Promise<{ signal: NodeJS.Signals | null; stderr: string }>;
/** Calls `onLine` with each complete line a child writes to `stream`; a last unterminated line when it ends. */
export declare function onLines(stream: Readable, onLine: (line: string) => void): void;
