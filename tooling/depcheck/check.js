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

function matches(name, pattern) {
  return pattern.endsWith('/*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
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
    for (const file of sourceFiles(dir)) {
      if (file.startsWith('node_modules') || file === 'jest.config.js') continue;
      filesChecked++;
      const text = readFileSync(join(dir, file), 'utf8');
      const imports = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
      for (const specifier of imports) {
        checkImport({ specifier, file, dir, name, layer, deps, devDeps, exportsOf, test: isTestFile(file), report });
      }
    }
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
