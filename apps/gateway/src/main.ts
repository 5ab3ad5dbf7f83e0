#!/usr/bin/env node
import { buildCli } from './cli.js';

await buildCli().parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  process.stderr.write(`cairn: ${typeof code === 'string' ? `${code}: ` : ''}${message}\n`);
  process.exitCode = 1;
});
