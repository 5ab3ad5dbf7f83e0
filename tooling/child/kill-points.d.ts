import type { SpawnOptions } from 'node:child_process';

export declare const FILE_STEP_SYSCALLS: string[];
export interface KillPoint {
  syscall: string;
  /** Counted on the main thread from the start of tracing, as strace's `when=` counts. */
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
  /** Keep only steps on files under these directories. */
  within?: string[];
  env?: SpawnOptions['env'];
  timeoutMs?: number;
}
export declare function beginKillPoints(): Promise<void>;
export declare function endKillPoints(): void;
/** Returns the mode it will use: `attach` when ptrace may attach to a running child, else `launch`. */
export declare function assertStraceUsable(): 'attach' | 'launch';
export declare function listKillPoints(script: string, args: string[] | ((attempt: number) => string[]), options?: KillPointOptions): Promise<{ points: KillPoint[]; unstable: string[]; run: RunResult }>;
export declare function runKilledAt(
  script: string,
  args: string[],
  point: KillPoint,
  options?: KillPointOptions,
): Promise<RunResult & { landed: KillPoint | undefined }>;
export declare function isSharedMemoryStep(point: KillPoint): boolean;
export declare function collapseRuns(points: KillPoint[]): KillPoint[];
export declare function forEachBounded<T>(items: T[], concurrency: number, deadline: number, fn: (item: T, index: number) => Promise<void>): Promise<number>;
