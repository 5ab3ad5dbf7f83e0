// jest globalSetup: one PostgreSQL test server for the whole run (see test-database.js).
import { startPostgresServer } from './server.js';
import { SERVER_ENV } from './test-database.js';

export default async function globalSetup() {
  const server = await startPostgresServer();
  globalThis.__CAIRN_TEST_PG__ = server;
  process.env[SERVER_ENV] = JSON.stringify({ host: server.host, port: server.port });
}
