// One-off scaffolder kept for adding packages consistently: node scripts/gen-package.mjs
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const TEST =
  "NODE_OPTIONS='--experimental-vm-modules --no-warnings=ExperimentalWarning' jest --json --outputFile=.jest-results.json";

const pkgs = {
  'packages/protocol': { name: 'protocol', deps: { typebox: '^1.4.3' }, ws: [] },
  'packages/config': { name: 'config', deps: { 'smol-toml': '^1.9.1' }, ws: ['protocol'] },
  'packages/entity': { name: 'entity', deps: { typeorm: '1.1.1' }, ws: [] },
  'packages/migration': { name: 'migration', deps: { typeorm: '1.1.1' }, ws: [], devWs: ['sqlite'] },
  'packages/sqlite': { name: 'sqlite', deps: { typeorm: '1.1.1', 'better-sqlite3': '^12.11.1' }, dev: { '@types/better-sqlite3': '^7.6.13' }, ws: [] },
  'packages/crud': { name: 'crud', deps: { typeorm: '1.1.1' }, ws: ['protocol', 'entity', 'migration', 'sqlite'] },
  'packages/keystore': { name: 'keystore', deps: { typeorm: '1.1.1' }, ws: ['protocol', 'migration', 'sqlite'] },
  'packages/artifacts': { name: 'artifacts', deps: {}, ws: ['protocol', 'config', 'crud'] },
  'packages/gateway': { name: 'gateway', deps: { fastify: '^5.12.8', '@fastify/websocket': '^11.3.6' }, ws: ['protocol', 'config', 'sqlite', 'migration', 'crud', 'keystore', 'artifacts'] },
  'packages/client': { name: 'client', deps: { ws: '^8.18.3' }, dev: { '@types/ws': '^8.18.1' }, ws: ['protocol'] },
  'apps/gateway': { name: 'cli', deps: { commander: '^15.1.0' }, ws: ['config', 'gateway', 'client'], bin: true },
};

for (const [dir, p] of Object.entries(pkgs)) {
  mkdirSync(join(dir, 'src'), { recursive: true });
  const deps = { ...Object.fromEntries(p.ws.map((w) => [`@cairn/${w}`, 'workspace:*'])), ...p.deps };
  const devDeps = { '@cairn/tooling': 'workspace:*', ...Object.fromEntries((p.devWs ?? []).map((w) => [`@cairn/${w}`, 'workspace:*'])), ...(p.dev ?? {}) };
  const pkg = {
    name: `@cairn/${p.name}`,
    version: '0.1.0',
    private: true,
    type: 'module',
    exports: {
      '.': { '@cairn/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
    },
    ...(p.bin ? { bin: { cairn: './dist/main.js' } } : {}),
    files: ['dist', '!dist/**/*.test.*'],
    scripts: { build: 'tsc -b', typecheck: 'tsc -b', lint: 'eslint src', test: TEST },
    dependencies: deps,
    devDependencies: devDeps,
  };
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  const refs = [...p.ws, ...(p.devWs ?? [])].map((w) => ({ path: `../../packages/${w}` }));
  const tsconfig = { extends: '../../tooling/tsconfig/base.json', references: refs };
  if (!existsSync(join(dir, 'tsconfig.json'))) writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2) + '\n');
  if (!existsSync(join(dir, 'jest.config.js')))
    writeFileSync(join(dir, 'jest.config.js'), "import { createJestConfig } from '@cairn/tooling/jest';\n\nexport default createJestConfig(import.meta.dirname);\n");
}
