#!/usr/bin/env node
import { NOT_ON_POSTGRES } from '@cairn/gateway';
import { buildCli } from './cli.js';

await buildCli().parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  process.stderr.write(`cairn: ${typeof code === 'string' ? `${code}: ` : ''}${message}\n`);
  // 2: not a failure of the home but an operation this backend does not offer (backup/restore on PostgreSQL).
  process.exitCode = (error as { details?: { reason?: unknown } }).details?.reason === NOT_ON_POSTGRES ? 2 : 1;
});
