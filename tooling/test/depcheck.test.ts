import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JS module without declarations
import { checkWorkspace } from '../depcheck/check.js';

type Violation = { package: string; file: string; message: string };
const check = (root: string): { violations: Violation[]; filesChecked: number } => checkWorkspace(root);

interface FakePackage {
  dir: string;
  name: string;
  deps?: string[];
  devDeps?: string[];
  refs?: string[];
  exports?: Record<string, unknown>;
  files: Record<string, string>;
}

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function workspace(packages: FakePackage[]): string {
  root = mkdtempSync(join(tmpdir(), 'cairn-depcheck-'));
  for (const p of packages) {
    const dir = join(root, p.dir);
    mkdirSync(dir, { recursive: true });
    const dependencies = Object.fromEntries((p.deps ?? []).map((d) => [d, d.startsWith('@cairn/') ? 'workspace:*' : '1']));
    const devDependencies = Object.fromEntries((p.devDeps ?? []).map((d) => [d, 'workspace:*']));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: p.name, dependencies, devDependencies, ...(p.exports ? { exports: p.exports } : {}) }));
    const references = (p.refs ?? [...(p.deps ?? []), ...(p.devDeps ?? [])].filter((d) => d.startsWith('@cairn/')))
      .map((d) => ({ path: `../${d.replace('@cairn/', '')}` }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ references }));
    for (const [file, text] of Object.entries(p.files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
  }
  return root;
}

const protocol: FakePackage = { dir: 'packages/protocol', name: '@cairn/protocol', deps: ['typebox'], files: { 'src/index.ts': "import { Type } from 'typebox';\nexport const X = Type.String();\n" } };
const entity: FakePackage = { dir: 'packages/entity', name: '@cairn/entity', deps: ['typeorm'], files: { 'src/index.ts': "import { Entity } from 'typeorm';\nexport { Entity };\n" } };

describe('dependency-direction check', () => {
  it('passes the real workspace', () => {
    const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const { violations, filesChecked } = check(repo);
    expect(violations).toEqual([]);
    expect(filesChecked).toBeGreaterThan(10);
  });

  it('passes a workspace that respects the table', () => {
    const crud: FakePackage = { dir: 'packages/crud', name: '@cairn/crud', deps: ['@cairn/entity', 'typeorm'], files: { 'src/index.ts': "import { Entity } from '@cairn/entity';\nimport type { DataSource } from 'typeorm';\nexport { Entity };\nexport type { DataSource };\n" } };
    expect(check(workspace([protocol, entity, crud])).violations).toEqual([]);
  });

  it('fails on entity imported outside crud, even from a test', () => {
    const gateway: FakePackage = {
      dir: 'packages/gateway',
      name: '@cairn/gateway',
      deps: ['@cairn/protocol'],
      devDeps: ['@cairn/entity'],
      files: { 'src/index.ts': "export {};\n", 'src/server.test.ts': "import { Entity } from '@cairn/entity';\nvoid Entity;\n" },
    };
    const messages = check(workspace([protocol, entity, gateway])).violations.map((v) => `${v.file}: ${v.message}`);
    expect(messages).toContain('packages/gateway/src/server.test.ts: imports @cairn/entity: only crud imports entity');
  });

  it('fails on fastify outside gateway, better-sqlite3 outside sqlite, sockets outside the network packages', () => {
    const config: FakePackage = {
      dir: 'packages/config',
      name: '@cairn/config',
      deps: ['@cairn/protocol', 'fastify', 'better-sqlite3'],
      files: { 'src/index.ts': "import Fastify from 'fastify';\nimport Database from 'better-sqlite3';\nimport { createServer } from 'node:net';\nexport const x = [Fastify, Database, createServer];\n" },
    };
    const messages = check(workspace([protocol, config])).violations.map((v) => v.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'imports fastify: only gateway listens on the network',
        'imports better-sqlite3: better-sqlite3 is wrapped by sqlite',
        "'node:net' opens sockets; only gateway listens on the network",
      ]),
    );
  });

  it('fails on pg (and pg-pool, pg-cursor, ...) outside postgres, even from a test; postgres itself may import them', () => {
    const postgres: FakePackage = {
      dir: 'packages/postgres',
      name: '@cairn/postgres',
      deps: ['pg', 'pg-cursor', 'typeorm'],
      files: { 'src/index.ts': "import pg from 'pg';\nimport Cursor from 'pg-cursor';\nimport type { DataSource } from 'typeorm';\nexport const x = [pg, Cursor];\nexport type { DataSource };\n" },
    };
    const crud: FakePackage = {
      dir: 'packages/crud',
      name: '@cairn/crud',
      deps: ['@cairn/postgres', 'pg'],
      devDeps: ['pg-pool'],
      files: {
        'src/index.ts': "import pg from 'pg';\nimport { x } from '@cairn/postgres';\nexport const y = [pg, x];\n",
        'src/store.test.ts': "import Pool from 'pg-pool';\nvoid Pool;\n",
      },
    };
    const violations = check(workspace([postgres, crud])).violations.map((v) => `${v.file}: ${v.message}`);
    expect(violations.sort()).toEqual([
      'packages/crud/src/index.ts: imports pg: not allowed for @cairn/crud by ARCHITECTURE.md',
      'packages/crud/src/index.ts: imports pg: pg is wrapped by postgres',
      'packages/crud/src/store.test.ts: imports pg-pool: pg is wrapped by postgres',
    ]);
  });

  it('fails on a strict package importing anything beyond its table row, a deep import, an undeclared dependency and mismatched references', () => {
    const strictProtocol: FakePackage = { ...protocol, files: { 'src/index.ts': "import { parse } from 'smol-toml';\nexport { parse };\n" } };
    const crud: FakePackage = {
      dir: 'packages/crud',
      name: '@cairn/crud',
      deps: ['@cairn/protocol'],
      refs: ['@cairn/protocol', '@cairn/entity'],
      files: {
        'src/index.ts': "import { X } from '@cairn/protocol/src/index.js';\nimport { DataSource } from 'typeorm';\nimport { Y } from '../../protocol/src/index.js';\nimport { Z } from './inner/z.js';\nexport { X, Y, Z, DataSource };\n",
        'src/inner/z.ts': "import { W } from '../../src/w.js';\nexport const Z = W;\n",
        'src/w.ts': 'export const W = 1;\n',
      },
    };
    const messages = check(workspace([strictProtocol, entity, crud])).violations.map((v) => `${v.package} ${v.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        '@cairn/protocol imports smol-toml: not allowed for @cairn/protocol by ARCHITECTURE.md',
        "@cairn/crud deep import '@cairn/protocol/src/index.js': use the package's exports map",
        '@cairn/crud imports typeorm, which package.json does not declare in dependencies',
        '@cairn/crud references @cairn/entity, which is not a workspace dependency',
        "@cairn/crud relative import '../../protocol/src/index.js' reaches outside the package",
      ]),
    );
    // climbing inside the package is fine
    expect(messages.filter((m) => m.includes('../../src/w.js'))).toEqual([]);
  });

  it('fails on a package missing from the table', () => {
    const rogue: FakePackage = { dir: 'packages/rogue', name: '@cairn/rogue', files: { 'src/index.ts': 'export {};\n' } };
    expect(check(workspace([rogue])).violations.map((v) => v.message)).toEqual([
      '@cairn/rogue is not in the dependency table (tooling/depcheck/rules.js)',
    ]);
  });

  describe('./testing entry points', () => {
    const entry = (source: string) => ({ '@cairn/source': source, types: source.replace('./src/', './dist/').replace(/\.ts$/, '.d.ts'), default: source.replace('./src/', './dist/').replace(/\.ts$/, '.js') });
    const keystore = (exportsMap: Record<string, unknown>): FakePackage => ({
      dir: 'packages/keystore',
      name: '@cairn/keystore',
      exports: exportsMap,
      files: {
        'src/index.ts': 'export const K = 1;\n',
        'src/testing/index.ts': "import { describe } from '@jest/globals';\nexport const describeKeystoreContract = describe;\n",
      },
    });
    const gateway = (files: Record<string, string>, runtime = false): FakePackage => ({
      dir: 'packages/gateway',
      name: '@cairn/gateway',
      ...(runtime ? { deps: ['@cairn/keystore'] } : { devDeps: ['@cairn/keystore'] }),
      files,
    });
    const fromTest = { 'src/index.ts': 'export {};\n', 'src/keys.test.ts': "import { describeKeystoreContract } from '@cairn/keystore/testing';\nvoid describeKeystoreContract;\n" };

    it('accepts a ./testing export with the @cairn/source condition, imported from another package\'s test', () => {
      const ks = keystore({ '.': entry('./src/index.ts'), './testing': entry('./src/testing/index.ts') });
      expect(check(workspace([protocol, ks, gateway(fromTest)])).violations).toEqual([]);
    });

    it('refuses ./testing in runtime code, and a ./testing the exports map does not list', () => {
      const runtime = gateway({ 'src/index.ts': "import { describeKeystoreContract } from '@cairn/keystore/testing';\nexport { describeKeystoreContract };\n" }, true);
      const listed = keystore({ '.': entry('./src/index.ts'), './testing': entry('./src/testing/index.ts') });
      expect(check(workspace([protocol, listed, runtime])).violations.map((v) => `${v.file}: ${v.message}`)).toEqual([
        "packages/gateway/src/index.ts: imports '@cairn/keystore/testing' outside a test: ./testing is for tests only",
      ]);
      const unlisted = keystore({ '.': entry('./src/index.ts') });
      expect(check(workspace([protocol, unlisted, gateway(fromTest)])).violations.map((v) => v.message)).toEqual([
        "deep import '@cairn/keystore/testing': use the package's exports map",
      ]);
    });

    it('refuses an exports entry without @cairn/source, one pointing at a missing file, and a wildcard', () => {
      const ks = keystore({
        '.': entry('./src/index.ts'),
        './testing': { types: './dist/testing/index.d.ts', default: './dist/testing/index.js' },
        './fixtures': entry('./src/fixtures/index.ts'),
        './*': entry('./src/*.ts'),
      });
      expect(check(workspace([protocol, ks])).violations.map((v) => `${v.file}: ${v.message}`)).toEqual([
        "packages/keystore/package.json: exports['./testing'] lacks the @cairn/source condition",
        "packages/keystore/package.json: exports['./fixtures']: @cairn/source ./src/fixtures/index.ts is not a file in src/",
        "packages/keystore/package.json: exports['./*']: no wildcard entry points",
      ]);
    });
  });

  it('fails on a dependency nothing imports, and on a runtime dependency only tests import', () => {
    const gateway: FakePackage = {
      dir: 'packages/gateway',
      name: '@cairn/gateway',
      deps: ['@cairn/protocol', 'fastify', '@fastify/websocket', 'pino'],
      devDeps: ['@cairn/entity', '@cairn/tooling'],
      refs: ['@cairn/protocol', '@cairn/entity'],
      files: {
        'src/index.ts': "import Fastify from 'fastify';\nexport const app = Fastify;\n",
        'src/app.test.ts': "import { CairnError } from '@cairn/protocol';\nvoid CairnError;\n",
      },
    };
    const sqlite: FakePackage = {
      dir: 'packages/sqlite',
      name: '@cairn/sqlite',
      deps: ['better-sqlite3'],
      devDeps: ['@types/better-sqlite3', '@types/ws'],
      files: { 'src/index.ts': "import Database from 'better-sqlite3';\nexport { Database };\n" },
    };
    const messages = check(workspace([protocol, entity, gateway, sqlite])).violations.map((v) => `${v.package} ${v.message}`);
    expect(messages.sort()).toEqual([
      '@cairn/gateway dependency @cairn/protocol is imported only by tests: make it a devDependency',
      '@cairn/gateway dependency @fastify/websocket is not imported by anything',
      '@cairn/gateway dependency pino is not imported by anything',
      '@cairn/gateway devDependency @cairn/entity is not imported by anything',
      '@cairn/sqlite devDependency @types/ws is not imported by anything',
    ]);
  });
});
