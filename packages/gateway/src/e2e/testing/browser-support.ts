import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { it } from '@jest/globals';
import { build, type Metafile, type Plugin } from 'esbuild';

/** The gateway package directory (its node_modules holds the linked `@cairn/client`). */
const GATEWAY_DIR = join(import.meta.dirname, '..', '..', '..');

/** `chromium` on PATH (Debian's package; `.ci/run` installs it when missing), or undefined. */
export const CHROMIUM: string | undefined = (process.env.PATH ?? '')
  .split(delimiter)
  .filter(Boolean)
  .map((dir) => join(dir, 'chromium'))
  .find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/** `it` when chromium is installed, else `it.skip`: the browser tests need a real browser and skip, not fail, without one. */
export const itChromium: typeof it.skip = CHROMIUM ? it : it.skip;

export interface BrowserBundle {
  /** ES module text exporting everything `@cairn/client` exports. */
  code: string;
  /** Every file in the bundle, relative to the repository root. */
  inputs: string[];
  /** Imports esbuild left out of the bundle (none expected). */
  external: string[];
}

/**
 * `@cairn/client` as a browser app's bundler sees it: its exports map's `browser` condition,
 * mapped to the TypeScript source that compiles to that file (tsc: `src/x.ts` -> `dist/x.js`),
 * so no build is needed; everything else (protocol, typebox) resolves through `@cairn/source`
 * and the browser conditions. (`@cairn/source` comes first in the client's map and names the
 * Node entry, so the condition list alone cannot pick the browser source.)
 */
export async function bundleBrowserClient(): Promise<BrowserBundle> {
  const clientDir = realpathSync(join(GATEWAY_DIR, 'node_modules', '@cairn', 'client'));
  const exportsMap = (JSON.parse(readFileSync(join(clientDir, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> }).exports;
  const browserTarget = exportsMap['.']?.['browser'];
  const source = browserTarget?.match(/^\.\/dist\/(.+)\.js$/)?.[1];
  if (!source) throw new Error(`@cairn/client's exports['.'].browser is ${browserTarget}, not a file in dist/`);
  const browserEntry: Plugin = {
    name: 'cairn-client-browser-entry',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^@cairn\/client$/ }, () => ({ path: join(clientDir, 'src', `${source}.ts`) }));
    },
  };
  const repoRoot = join(GATEWAY_DIR, '..', '..');
  const result = await build({
    stdin: { contents: "export * from '@cairn/client';", resolveDir: GATEWAY_DIR, loader: 'js' },
    absWorkingDir: repoRoot,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@cairn/source'],
    metafile: true,
    logLevel: 'silent',
    plugins: [browserEntry],
  });
  const metafile: Metafile = result.metafile;
  const inputs = Object.keys(metafile.inputs).map((path) => realRelative(repoRoot, path));
  const external = Object.values(metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild wrote no output');
  return { code: output.text, inputs, external };
}

/** A metafile input (relative to the working dir, possibly through pnpm's symlinks) as a real path relative to the repository. */
function realRelative(repoRoot: string, path: string): string {
  if (path.startsWith('<')) return path; // <stdin>
  const real = realpathSync(join(repoRoot, path));
  const root = realpathSync(repoRoot);
  return real.startsWith(`${root}/`) ? real.slice(root.length + 1) : real;
}

export interface PageRun {
  /** The text of `#result` once the page marked it done (`data-done`). */
  result: string;
  /** What the page logged and threw, for failure messages. */
  console: string[];
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/**
 * Loads `url` in a fresh headless chromium and returns the text of the page's `#result` once
 * the page sets `data-done` on it. `--dump-dom` is no use here: it dumps at the load event,
 * and a module script's top-level await does not delay load. So this drives chromium over
 * `--remote-debugging-pipe` (DevTools protocol on fds 3/4): navigate, wait for load, then
 * await the marker in the page. Bounded: the browser is killed after `timeoutMs`.
 */
export async function runPage(url: string, timeoutMs = 30_000): Promise<PageRun> {
  if (!CHROMIUM) throw new Error('chromium is not installed');
  const profile = mkdtempSync(join(tmpdir(), 'cairn-chromium-'));
  const child = spawn(
    CHROMIUM,
    [
      '--headless=new',
      '--no-sandbox', // root in a container: chromium's sandbox needs user namespaces
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      '--disable-background-networking',
      `--user-data-dir=${profile}`,
      '--remote-debugging-pipe',
      'about:blank',
    ],
    // Its own process group, so the helpers it forks (zygote, crashpad) can be ended with it.
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true },
  );
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logs: string[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4_000)));

  const toBrowser = child.stdio[3] as NodeJS.WritableStream;
  const fromBrowser = child.stdio[4] as NodeJS.ReadableStream;
  toBrowser.on('error', () => {}); // EPIPE once chromium is gone: `died` reports that
  let nextId = 0;
  const pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const eventWaiters: Array<{ method: string; resolve: () => void }> = [];
  let buffered = '';
  fromBrowser.setEncoding('utf8');
  fromBrowser.on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\0')) >= 0) {
      const message = JSON.parse(buffered.slice(0, end)) as CdpMessage;
      buffered = buffered.slice(end + 1);
      if (message.id !== undefined) {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(`DevTools: ${message.error.message}`));
        else waiter?.resolve(message.result ?? {});
      } else if (message.method) {
        if (message.method === 'Runtime.consoleAPICalled') logs.push(`console.${String(message.params?.['type'])}: ${JSON.stringify(message.params?.['args'])}`);
        if (message.method === 'Runtime.exceptionThrown') logs.push(`exception: ${JSON.stringify(message.params?.['exceptionDetails'])}`);
        for (const waiter of eventWaiters.filter((w) => w.method === message.method)) {
          eventWaiters.splice(eventWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  const event = (method: string) => new Promise<void>((resolve) => eventWaiters.push({ method, resolve }));

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      killGroup();
      reject(new Error(`chromium did not finish ${url} within ${timeoutMs} ms\npage: ${logs.join('\n')}\nstderr: ${stderr}`));
    }, timeoutMs);
  });
  const died = exited.then(() => {
    throw new Error(`chromium exited early (code ${child.exitCode}, signal ${child.signalCode})\nstderr: ${stderr}`);
  });
  const drive = async (): Promise<string> => {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    await send('Runtime.enable', {}, sessionId);
    await send('Page.enable', {}, sessionId);
    const loaded = event('Page.loadEventFired');
    const navigated = (await send('Page.navigate', { url }, sessionId)) as { errorText?: string };
    if (navigated.errorText) throw new Error(`navigation to ${url} failed: ${navigated.errorText}`);
    await loaded;
    const { result, exceptionDetails } = (await send(
      'Runtime.evaluate',
      {
        expression: `new Promise((resolve) => {
          const check = () => {
            const el = document.getElementById('result');
            if (el && el.dataset.done) resolve(el.textContent);
            else setTimeout(check, 20);
          };
          check();
        })`,
        awaitPromise: true,
        returnByValue: true,
      },
      sessionId,
    )) as { result: { value?: unknown }; exceptionDetails?: unknown };
    if (exceptionDetails) throw new Error(`evaluating in the page failed: ${JSON.stringify(exceptionDetails)}`);
    return String(result.value);
  };
  try {
    const result = await Promise.race([drive(), timedOut, died]);
    return { result, console: logs };
  } finally {
    clearTimeout(timer);
    died.catch(() => {});
    if (child.exitCode === null && child.signalCode === null) {
      await Promise.race([send('Browser.close').catch(() => {}), exited]);
      let grace: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([exited.then(() => true), new Promise<false>((resolve) => (grace = setTimeout(() => resolve(false), 5_000)))]);
      clearTimeout(grace);
      if (!stopped) {
        killGroup();
        await exited;
      }
    }
    // Helpers that outlive the browser would hold our ends of its pipes (and jest) open.
    killGroup();
    for (const stream of [child.stderr, toBrowser, fromBrowser] as Array<{ destroy(): void } | null>) stream?.destroy();
    rmSync(profile, { recursive: true, force: true });
  }
}
