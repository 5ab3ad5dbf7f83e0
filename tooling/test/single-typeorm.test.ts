import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// typeorm lists its drivers as optional peers, so pnpm may link one copy per set of drivers
// found beside it (see dedupePeerDependents in pnpm-workspace.yaml). Two copies in one process
// mean two DataSource classes, two EntityManagers, two QueryFailedErrors: `instanceof` across
// sqlite, postgres, migration and crud silently fails. This holds the workspace to one.
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function workspacePackages(): Array<{ dir: string; name: string; deps: Record<string, string> }> {
  const out = [];
  for (const group of ['packages', 'apps']) {
    const base = join(repo, group);
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base)) {
      const file = join(base, d, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      out.push({ dir: join(base, d), name: pkg.name, deps: { ...pkg.dependencies, ...pkg.devDependencies } });
    }
  }
  return out;
}

describe('one typeorm instance', () => {
  it('the lockfile resolves typeorm to a single peer variant', () => {
    const lock = readFileSync(join(repo, 'pnpm-lock.yaml'), 'utf8');
    const snapshots = lock.slice(lock.indexOf('\nsnapshots:\n'));
    const variants = [...snapshots.matchAll(/^ {2}'?(typeorm@[^:']+)'?:$/gm)].map((m) => m[1]);
    expect(variants).toHaveLength(1);
  });

  it('every package that depends on typeorm links the same directory', () => {
    const users = workspacePackages().filter((p) => 'typeorm' in p.deps);
    expect(users.map((p) => p.name)).toEqual(expect.arrayContaining(['@cairn/sqlite', '@cairn/postgres']));
    const targets = new Set(users.map((p) => realpathSync(join(p.dir, 'node_modules', 'typeorm'))));
    expect([...targets]).toHaveLength(1);
  });
});
