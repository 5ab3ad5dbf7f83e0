import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { methodJsonSchemas, notificationJsonSchemas, openRpcDocument } from '@cairn/protocol';
import type { GlobalOptions } from '../cli.js';
import { output } from './output.js';

export interface SchemaExportSummary {
  out: string;
  openrpc: string;
  methods: number;
  notifications: number;
  /** Every file written, relative to `out`. */
  files: string[];
  /** Schema files of methods or notifications that no longer exist, removed. */
  removed: string[];
}

/** `item/agent_message/delta` → `item.agent_message.delta`: names stay readable and flat. */
const fileStem = (name: string) => name.replaceAll('/', '.');
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * `cairn schema export [--out <dir>]`: the protocol as `openrpc.json`, `methods/<m>.params.json`
 * and `.result.json`, and `notifications/<n>.params.json`. Without `--out` the OpenRPC document
 * goes to stdout (it is JSON already, with or without `--json`).
 */
export async function schemaExportCommand(global: GlobalOptions, options: { out?: string }): Promise<void> {
  const document = openRpcDocument();
  if (options.out === undefined) {
    process.stdout.write(json(document));
    return;
  }
  const out = resolve(options.out);
  const files = new Map<string, unknown>([['openrpc.json', document]]);
  const methods = methodJsonSchemas();
  for (const [name, { params, result }] of Object.entries(methods)) {
    files.set(join('methods', `${fileStem(name)}.params.json`), params);
    files.set(join('methods', `${fileStem(name)}.result.json`), result);
  }
  const notifications = notificationJsonSchemas();
  for (const [name, params] of Object.entries(notifications)) files.set(join('notifications', `${fileStem(name)}.params.json`), params);

  await Promise.all(['methods', 'notifications'].map((dir) => mkdir(join(out, dir), { recursive: true })));
  for (const [file, value] of files) await writeFile(join(out, file), json(value));
  // A method renamed or dropped since the last export must not linger as a schema a generator
  // still reads; only our own `*.params.json` / `*.result.json` in our two folders are removed.
  const removed: string[] = [];
  for (const dir of ['methods', 'notifications']) {
    for (const entry of await readdir(join(out, dir))) {
      const file = join(dir, entry);
      if (/\.(params|result)\.json$/.test(entry) && !files.has(file)) {
        await rm(join(out, file));
        removed.push(file);
      }
    }
  }
  const summary: SchemaExportSummary = {
    out,
    openrpc: join(out, 'openrpc.json'),
    methods: Object.keys(methods).length,
    notifications: Object.keys(notifications).length,
    files: [...files.keys()],
    removed,
  };
  output(global, summary, () => [
    `wrote ${summary.openrpc}`,
    `wrote ${summary.methods * 2} method schemas to ${join(out, 'methods')} and ${summary.notifications} notification schemas to ${join(out, 'notifications')}`,
    ...removed.map((file) => `removed ${join(out, file)} (no longer in the protocol)`),
  ]);
}
