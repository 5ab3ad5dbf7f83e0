#!/usr/bin/env node
// `pnpm bench` runs every benchmark; `pnpm bench <name>` runs packages/*/bench/<name>.bench.ts
// (or apps/*). Each runs in its own process against the sources (no build needed), and the
// last line it prints is one JSON object with at least `bench` and `ratio`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const tsconfig = require.resolve('../tsconfig/tsx.json');

function discover() {
  const found = new Map();
  for (const group of ['packages', 'apps']) {
    for (const pkg of existsSync(join(root, group)) ? readdirSync(join(root, group)) : []) {
      const dir = join(root, group, pkg, 'bench');
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir)) {
        if (file.endsWith('.bench.ts')) found.set(file.slice(0, -'.bench.ts'.length), join(dir, file));
      }
    }
  }
  return found;
}

const benches = discover();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (wanted.some((w) => !benches.has(w))) {
  console.error(`unknown benchmark: ${wanted.filter((w) => !benches.has(w)).join(', ')}`);
  console.error(`available: ${[...benches.keys()].sort().join(', ') || '(none)'}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? wanted : [...benches.keys()].sort();
let failed = 0;
for (const name of selected) {
  const file = benches.get(name);
  console.log(`\n# bench ${name} (${file.slice(root.length + 1)})`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--conditions=@cairn/source', '--import', tsx, file], {
    stdio: 'inherit',
    cwd: dirname(dirname(file)),
    env: { ...process.env, NODE_OPTIONS: '', TSX_TSCONFIG_PATH: tsconfig },
  });
  if (result.status !== 0) {
    failed++;
    console.error(`bench ${name} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
