// jest globalTeardown: stops the run's PostgreSQL test server.
export default async function globalTeardown() {
  const server = globalThis.__CAIRN_TEST_PG__;
  delete globalThis.__CAIRN_TEST_PG__;
  if (server) await server.stop();
}
