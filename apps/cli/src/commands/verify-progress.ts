import { SingleBar } from 'cli-progress';

export interface VerifyProgress {
  stop(): void;
}

const WIDTH = 24;
const BLOCK = 6;
const TICK_MS = 100;

/**
 * A progress bar on stderr while `cairn verify` runs: only on a terminal and never with
 * `--json` (a script reading stdout must not get a bar; a log file must not fill with
 * redraws). `verifyRuntime` reports nothing until it is done, so the bar shows that it runs
 * and for how long, not a fraction: a block sweeps the bar on each tick. cli-progress does the
 * terminal work (redraw in place, cursor hidden and restored, the line cleared at the end).
 */
export function startVerifyProgress(options: { json: boolean; home: string; stream?: NodeJS.WriteStream }): VerifyProgress {
  const stream = options.stream ?? process.stderr;
  if (options.json || !stream.isTTY) return { stop: () => undefined };
  const bar = new SingleBar({
    stream,
    fps: 10,
    hideCursor: true,
    clearOnComplete: true,
    // The bar is drawn here, not by cli-progress's fraction formatter: `value` counts ticks.
    format: (_options, params) => {
      const at = params.value % (2 * (WIDTH - BLOCK));
      const start = at <= WIDTH - BLOCK ? at : 2 * (WIDTH - BLOCK) - at;
      const seconds = Math.round((Date.now() - params.startTime) / 100) / 10;
      return `verifying ${options.home} [${' '.repeat(start)}${'='.repeat(BLOCK)}${' '.repeat(WIDTH - BLOCK - start)}] ${seconds.toFixed(1)}s`;
    },
  });
  bar.start(Number.MAX_SAFE_INTEGER, 0);
  let ticks = 0;
  const timer = setInterval(() => bar.update(++ticks), TICK_MS);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      bar.stop();
    },
  };
}
