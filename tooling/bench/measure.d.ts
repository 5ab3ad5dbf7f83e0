export interface Measurement {
  count: number;
  elapsed_ms: number;
  per_s: number;
  p50_ms: number;
  p99_ms: number;
}
export declare function measure(
  fn: () => unknown,
  options: { iterations: number; maxMs: number; warmup?: number },
): Promise<Measurement>;
export interface RaceSide<T> {
  name: string;
  step(item: T, index: number): unknown;
  close(): Promise<void>;
}
export declare function race<T>(
  sides: ReadonlyArray<RaceSide<T>>,
  items: readonly T[],
  options: { warmup: number; chunk: number; maxMs: number },
): Promise<Map<string, Measurement>>;
export declare function summarize(latencies: number[], elapsedMs: number): Measurement;
export declare function round(value: number, digits?: number): number;
export declare function report(result: { bench: string; ratio: number } & Record<string, unknown>): void;
