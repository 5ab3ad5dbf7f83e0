// One PostgreSQL server per jest run, one fresh database per caller.
//
// A package whose tests need PostgreSQL sets this module's `globalSetup`/`globalTeardown`
// (see preset.js `withPostgres`): the server starts once in jest's parent process and its
// address reaches every worker through CAIRN_TEST_PG_SERVER. A test calls
// `createTestDatabase()` for a database of its own, so test files never see each other's rows.
// Run outside such a jest (a script, a bench), the first call starts a server for the process.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { TEST_SUPERUSER, postgresBinDir, startPostgresServer } from './server.js';

export const SERVER_ENV = 'CAIRN_TEST_PG_SERVER';

let own;
let counter = 0;

async function server() {
  const announced = process.env[SERVER_ENV];
  if (announced) return JSON.parse(announced);
  own ??= startPostgresServer().then((s) => {
    process.once('exit', () => {
      try {
        process.kill(s.pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    });
    return s;
  });
  const s = await own;
  return { host: s.host, port: s.port };
}

/** A fresh, empty database on the test server: `{ url, name }`. */
export async function createTestDatabase(prefix = 't') {
  const { host, port } = await server();
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  execFileSync(join(postgresBinDir(), 'createdb'), ['-h', host, '-p', String(port), '-U', TEST_SUPERUSER, name], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { name, url: `postgres://${TEST_SUPERUSER}@${host}:${port}/${name}` };
}

/** The test server's address (starting one if this process has none). */
export async function testServerAddress() {
  return server();
}

/** Stops a server this process started itself (scripts and benches; jest's is stopped by globalTeardown). */
export async function stopOwnServer() {
  if (!own) return;
  const s = await own;
  own = undefined;
  await s.stop();
}
