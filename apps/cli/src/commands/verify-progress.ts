import { SingleBar } from 'cli-progress';

export interface VerifyProgress {
  /** The chain walk's progress: journal rows checked of the total. */
  update(checked: number, total: number): void;
  /** The blob re-hash's progress, after the chain walk: blobs checked of the total. */
  updateBlobs(checked: number, total: number): void;
  stop(): void;
}

const WIDTH = 24;
const BLOCK = 6;
const TICK_MS = 100;

/**
 * A progress bar on stderr while `cairn verify` runs: only on a terminal and never with
 * `--json` (a script reading stdout must not get a bar; a log file must not fill with
 * redraws). While the integrity checks run nothing can be counted, so a block sweeps the bar;
 * once the chain walk reports (`update`), the bar fills with the fraction of journal rows
 * checked, then (`updateBlobs`) with the fraction of artifact blobs re-hashed. cli-progress does the terminal work (redraw in place, cursor hidden and restored,
 * the line cleared at the end).
 */
export function startVerifyProgress(options: { json: boolean; home: string; stream?: NodeJS.WriteStream }): VerifyProgress {
  const stream = options.stream ?? process.stderr;
  if (options.json || !stream.isTTY) return { update: () => undefined, updateBlobs: () => undefined, stop: () => undefined };
  let walked: { checked: number; total: number; unit: string } | undefined;
  const bar = new SingleBar({
    stream,
    fps: 10,
    hideCursor: true,
    clearOnComplete: true,
    // The bar is drawn here, not by cli-progress's fraction formatter: `value` counts ticks.
    format: (_options, params) => {
      const seconds = (Math.round((Date.now() - params.startTime) / 100) / 10).toFixed(1);
      if (walked && walked.total > 0) {
        const filled = Math.min(WIDTH, Math.round((walked.checked / walked.total) * WIDTH));
        return `verifying ${options.home} [${'='.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${Math.min(walked.checked, walked.total)}/${walked.total} ${walked.unit} ${seconds}s`;
      }
      const at = params.value % (2 * (WIDTH - BLOCK));
      const start = at <= WIDTH - BLOCK ? at : 2 * (WIDTH - BLOCK) - at;
      return `verifying ${options.home} [${' '.repeat(start)}${'='.repeat(BLOCK)}${' '.repeat(WIDTH - BLOCK - start)}] ${seconds}s`;
    },
  });
  bar.start(Number.MAX_SAFE_INTEGER, 0);
  let ticks = 0;
  const timer = setInterval(() => bar.update(++ticks), TICK_MS);
  timer.unref();
  return {
    update: (checked, total) => {
      walked = { checked, total, unit: 'events' };
    },
    updateBlobs: (checked, total) => {
      walked = { checked, total, unit: 'blobs' };
    },
    stop: () => {
      clearInterval(timer);
      bar.stop();
    },
  };
}
