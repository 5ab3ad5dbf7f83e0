#!/usr/bin/env node
import { buildCli } from './cli.js';
import { reportError } from './errors.js';

// `cairn schema export | head`: a reader that stopped early is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const argv = process.argv;
const program = buildCli();
await program.parseAsync(argv).catch((error: unknown) => {
  // A usage error may come before commander has parsed --json, so the raw arguments decide too.
  const json = program.opts<{ json?: boolean }>().json === true || argv.slice(2).includes('--json');
  process.exitCode = reportError(error, json);
});
