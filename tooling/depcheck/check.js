import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { GUARDED, LAYERS, NETWORK_BUILTINS, WALLS } from './rules.js';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** `@fastify/*` matches every name in the scope, `pg-*` every name with that prefix (pg-pool, pg-cursor). */
function matches(name, pattern) {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

const isTestFile = (rel) =>
  /\.test\.ts$/.test(rel) || rel.includes('/testing/') || rel.startsWith('test/') || rel.startsWith('bench/');

function* sourceFiles(dir, root = dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) yield* sourceFiles(full, root);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts')) yield relative(root, full);
  }
}

function listPackages(root) {
  const dirs = [];
  for (const group of ['packages', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base)) if (existsSync(join(base, d, 'package.json'))) dirs.push(join(base, d));
  }
  return dirs;
}

/**
 * Checks every workspace package under `root` against the layering table.
 * @returns {{ violations: Array<{ package: string, file: string, message: string }>, filesChecked: number }}
 */
export function checkWorkspace(root, layers = LAYERS) {
  const violations = [];
  let filesChecked = 0;
  const byDir = new Map();
  /** Subpaths each workspace package exports (`.`, `./testing`, ...). */
  const exportsOf = new Map();
  for (const dir of [...listPackages(root), join(root, 'tooling')]) {
    if (!existsSync(join(dir, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    byDir.set(resolve(dir), pkg.name);
    exportsOf.set(pkg.name, new Set(Object.keys(pkg.exports ?? { '.': true })));
  }
  for (const dir of listPackages(root)) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const name = pkg.name;
    const rel = relative(root, dir);
    const report = (file, message) => violations.push({ package: name, file: join(rel, file), message });
    const layer = layers[name];
    if (!layer) {
      report('package.json', `${name} is not in the dependency table (tooling/depcheck/rules.js)`);
      continue;
    }
    if (layer.exempt) continue;
    const deps = Object.keys(pkg.dependencies ?? {});
    const devDeps = Object.keys(pkg.devDependencies ?? {});
    for (const dep of deps) {
      if (dep.startsWith('@cairn/') && !layer.allow.includes(dep)) report('package.json', `dependency ${dep} crosses a line not in the table`);
    }
    checkReferences(root, dir, pkg, byDir, report);
    checkExportsMap(dir, pkg, report);
    const imported = { runtime: new Set(), any: new Set() };
    for (const file of sourceFiles(dir)) {
      if (file.startsWith('node_modules') || file === 'jest.config.js') continue;
      filesChecked++;
      const text = readFileSync(join(dir, file), 'utf8');
      const imports = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
      const test = isTestFile(file);
      for (const specifier of imports) {
        checkImport({ specifier, file, dir, name, layer, deps, devDeps, exportsOf, test, report });
        imported.any.add(packageOf(specifier));
        if (!test) imported.runtime.add(packageOf(specifier));
      }
    }
    checkUnusedDependencies(deps, devDeps, imported, report);
  }
  return { violations, filesChecked };
}

function checkImport({ specifier, file, dir, name, layer, deps, devDeps, exportsOf, test, report }) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = resolve(dir, dirname(file), specifier);
    if (!(target + sep).startsWith(resolve(dir) + sep)) {
      report(file, `relative import '${specifier}' reaches outside the package`);
    }
    return;
  }
  if (BUILTINS.has(specifier)) {
    const bare = specifier.replace(/^node:/, '');
    if (NETWORK_BUILTINS.includes(bare) && !layer.network && !test) report(file, `'${specifier}' opens sockets; only gateway listens on the network`);
    return;
  }
  const target = packageOf(specifier);
  if (target === name) return;
  for (const wall of WALLS) {
    if (matches(target, wall.name) && !wall.only.includes(name)) report(file, `imports ${target}: ${wall.why}`);
  }
  if (target.startsWith('@cairn/') && specifier !== target) {
    const subpath = `.${specifier.slice(target.length)}`;
    if (!exportsOf.get(target)?.has(subpath)) report(file, `deep import '${specifier}': use the package's exports map`);
    else if (subpath === TESTING_SUBPATH && !test) report(file, `imports '${specifier}' outside a test: ./testing is for tests only`);
  }
  const declared = deps.includes(target) || (test && devDeps.includes(target));
  if (test) {
    if (!declared && !isRootTool(target)) report(file, `imports ${target}, which package.json does not declare`);
    return;
  }
  const guarded = target.startsWith('@cairn/') || GUARDED.some((g) => matches(target, g));
  const allowed = layer.allow.some((a) => matches(target, a));
  if ((guarded || layer.strict) && !allowed) report(file, `imports ${target}: not allowed for ${name} by ARCHITECTURE.md`);
  else if (!declared) report(file, `imports ${target}, which package.json does not declare in dependencies`);
}

/** The entry point of a package's test helpers (STYLE.md): other packages' tests may import it, their runtime code may not. */
const TESTING_SUBPATH = './testing';

/**
 * Every entry of a package's exports map resolves the way `.` does: `@cairn/source` (what jest,
 * tsx and tsc read, so no test needs a build) to an existing file in `src/`, then `types` and
 * `default` in `dist/`. No wildcard entries: the map lists every entry point.
 */
function checkExportsMap(dir, pkg, report) {
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const where = `exports['${subpath}']`;
    if (subpath.includes('*')) {
      report('package.json', `${where}: no wildcard entry points`);
      continue;
    }
    const source = typeof target === 'object' && target !== null ? target['@cairn/source'] : undefined;
    if (typeof source !== 'string') report('package.json', `${where} lacks the @cairn/source condition`);
    else if (!source.startsWith('./src/') || !existsSync(join(dir, source))) report('package.json', `${where}: @cairn/source ${source} is not a file in src/`);
    for (const condition of ['types', 'default']) {
      if (typeof target !== 'object' || target === null || typeof target[condition] !== 'string') report('package.json', `${where} lacks the ${condition} condition`);
    }
  }
}

/**
 * A dependency nothing imports is dead weight for every project that reuses the package
 * (STYLE.md): each runtime dependency must be imported by a runtime source, each dev
 * dependency by some file. `@types/x` counts as used when `x` is; `@cairn/tooling` is what
 * jest.config.js and tsconfig.json use.
 */
function checkUnusedDependencies(deps, devDeps, imported, report) {
  const used = (dep, set) => set.has(dep) || (dep.startsWith('@types/') && set.has(typesTarget(dep)));
  for (const dep of deps) {
    if (used(dep, imported.runtime)) continue;
    if (used(dep, imported.any)) report('package.json', `dependency ${dep} is imported only by tests: make it a devDependency`);
    else report('package.json', `dependency ${dep} is not imported by anything`);
  }
  for (const dep of devDeps) {
    if (dep !== '@cairn/tooling' && !used(dep, imported.any)) report('package.json', `devDependency ${dep} is not imported by anything`);
  }
}

/** `@types/better-sqlite3` → `better-sqlite3`; `@types/babel__core` → `@babel/core`. */
function typesTarget(dep) {
  const bare = dep.slice('@types/'.length);
  return bare.includes('__') ? `@${bare.replace('__', '/')}` : bare;
}

/** Test tooling installed once at the root for every package. */
function isRootTool(target) {
  return ['@jest/globals', 'tsx', 'typescript'].includes(target);
}

/** tsconfig references must equal the workspace dependencies (runtime and dev), as in Jest's repo. */
function checkReferences(root, dir, pkg, byDir, report) {
  const tsconfigPath = join(dir, 'tsconfig.json');
  if (!existsSync(tsconfigPath)) return report('tsconfig.json', 'missing tsconfig.json');
  const config = ts.parseConfigFileTextToJson(tsconfigPath, readFileSync(tsconfigPath, 'utf8')).config ?? {};
  const referenced = new Set((config.references ?? []).map((r) => byDir.get(resolve(dir, r.path)) ?? `?${r.path}`));
  const expected = new Set(
    [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].filter(
      (d) => d.startsWith('@cairn/') && d !== '@cairn/tooling',
    ),
  );
  for (const e of expected) if (!referenced.has(e)) report('tsconfig.json', `references lack ${e}, a workspace dependency`);
  for (const r of referenced) if (!expected.has(r)) report('tsconfig.json', `references ${r}, which is not a workspace dependency`);
}
