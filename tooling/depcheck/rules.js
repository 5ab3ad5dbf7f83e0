// The dependency table of ARCHITECTURE.md, as data. `allow` lists what a package's runtime
// sources may import among the guarded names; `strict` packages may import nothing else
// (besides node builtins). Unguarded third-party packages (smol-toml, pino, ...) are free
// elsewhere, as long as the package.json declares them.

/** Names whose import is a layering decision, not a convenience (`x/*`, `x-*`: every name with that prefix). */
export const GUARDED = ['typeorm', 'better-sqlite3', 'pg', 'pg-*', 'fastify', '@fastify/*', 'ws', 'typebox'];

/** Node builtins that open sockets: only the network-facing packages may import them. */
export const NETWORK_BUILTINS = ['net', 'http', 'https', 'http2', 'dgram', 'tls'];

export const LAYERS = {
  '@cairn/protocol': { allow: ['typebox'], strict: true },
  '@cairn/config': { allow: ['@cairn/protocol', 'typebox'] },
  '@cairn/entity': { allow: ['typeorm'], strict: true },
  '@cairn/migration': { allow: ['typeorm'], strict: true },
  '@cairn/sqlite': { allow: ['typeorm', 'better-sqlite3'] },
  '@cairn/postgres': { allow: ['typeorm', 'pg', 'pg-*'] },
  '@cairn/crud': { allow: ['@cairn/entity', '@cairn/migration', '@cairn/sqlite', '@cairn/postgres', '@cairn/protocol', 'typeorm', 'typebox'] },
  '@cairn/keystore': { allow: ['@cairn/sqlite', '@cairn/postgres', '@cairn/migration', '@cairn/protocol', 'typeorm'] },
  '@cairn/artifacts': { allow: ['@cairn/crud', '@cairn/config', '@cairn/protocol', 'typebox'] },
  '@cairn/gateway': {
    allow: [
      '@cairn/protocol', '@cairn/config', '@cairn/sqlite', '@cairn/postgres', '@cairn/migration', '@cairn/crud',
      '@cairn/keystore', '@cairn/artifacts', 'fastify', '@fastify/*', 'ws', 'typebox',
    ],
    network: true,
  },
  '@cairn/client': { allow: ['@cairn/protocol', 'ws', 'typebox'], network: true },
  '@cairn/cli': { allow: ['@cairn/gateway', '@cairn/client', '@cairn/config', '@cairn/protocol'], network: true },
  '@cairn/tooling': { allow: [], exempt: true },
};

/**
 * Lines that hold in test code too: a test may use a sibling as a dev dependency (migration's
 * tests open real files through sqlite), but never reach around these walls.
 */
export const WALLS = [
  { name: '@cairn/entity', only: ['@cairn/crud', '@cairn/entity'], why: 'only crud imports entity' },
  { name: 'better-sqlite3', only: ['@cairn/sqlite'], why: 'better-sqlite3 is wrapped by sqlite' },
  { name: 'pg', only: ['@cairn/postgres'], why: 'pg is wrapped by postgres' },
  { name: 'pg-*', only: ['@cairn/postgres'], why: 'pg is wrapped by postgres' },
  { name: 'fastify', only: ['@cairn/gateway'], why: 'only gateway listens on the network' },
  { name: '@fastify/*', only: ['@cairn/gateway'], why: 'only gateway listens on the network' },
  { name: 'ws', only: ['@cairn/gateway', '@cairn/client', '@cairn/cli'], why: 'WebSocket lives in gateway and client' },
];
