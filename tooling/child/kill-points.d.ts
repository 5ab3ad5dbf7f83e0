import type { SpawnOptions } from 'node:child_process';

export declare const FILE_STEP_SYSCALLS: string[];
export interface KillPoint {
  syscall: string;
  /** Counted from the process start on the main thread, as strace's `when=` counts. */
  occurrence: number;
  /** The traced call, for messages. */
  call: string;
}
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
export interface KillPointOptions {
  syscalls?: string[];
  env?: SpawnOptions['env'];
  timeoutMs?: number;
}
export declare function markKillPoints(which: 'begin' | 'end'): void;
export declare function assertStraceUsable(): void;
export declare function listKillPoints(script: string, args: string[], options?: KillPointOptions): Promise<{ points: KillPoint[]; run: RunResult }>;
export declare function runKilledAt(
  script: string,
  args: string[],
  point: KillPoint,
  options?: KillPointOptions,
): Promise<RunResult & { landed: KillPoint | undefined }>;
export declare function collapseRuns(points: KillPoint[]): KillPoint[];
export declare function forEachBounded<T>(items: T[], concurrency: number, deadline: number, fn: (item: T, index: number) => Promise<void>): Promise<number>;
