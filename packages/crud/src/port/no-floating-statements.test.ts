import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { findFloatingPromises, type FloatingPromise } from './testing/floating-promises.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * crud's sources (tests and benches included) as one program, with the compiler options
 * every build uses. Sibling packages resolve to their sources (the `@cairn/source`
 * condition), as jest and tsx see them, so no build is needed first.
 */
function crudProgram(): { program: ts.Program; ours: (fileName: string) => boolean } {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(packageDir, 'tsconfig.json'), { noEmit: true, composite: false }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('cannot read tsconfig.json');
  const bench = join(packageDir, 'bench');
  const benchFiles = readdirSync(bench).filter((f) => f.endsWith('.ts')).map((f) => join(bench, f));
  const { rootDir: _rootDir, ...options } = parsed.options;
  const program = ts.createProgram([...parsed.fileNames, ...benchFiles], options);
  const roots = [join(packageDir, 'src') + sep, bench + sep].map((p) => p.split(sep).join('/'));
  return { program, ours: (fileName) => roots.some((root) => fileName.startsWith(root)) };
}

/** A throwaway program over one file, typed like a storage port. */
function plantedProgram(body: string): { program: ts.Program; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-floating-'));
  const file = join(dir, 'planted.ts');
  const header = `
    interface Ctx { run(sql: string): Promise<{ changes: number }>; get<T>(sql: string): Promise<T | undefined> }
    declare const ctx: Ctx;
    declare function after(fn: () => void): void;
    declare function each<T>(xs: T[], fn: (x: T) => void): void;
    declare function measure(fn: () => unknown): Promise<number>;
    declare function expect(actual: unknown): { toEqual(v: unknown): void; resolves: { toEqual(v: unknown): Promise<void> } };
  `;
  writeFileSync(file, `${header}\nexport async function planted() {\n${body}\n}\n`);
  const program = ts.createProgram([file], { target: ts.ScriptTarget.ES2023, lib: ['lib.es2023.d.ts'], strict: true, noEmit: true, types: [] });
  return { program, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function plant(body: string): FloatingPromise['kind'][] {
  const { program, cleanup } = plantedProgram(body);
  try {
    // 2801: tsc itself refuses a promise as an `if` condition; the check must find it too.
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== 2801);
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    return findFloatingPromises(program, (f) => f.endsWith('planted.ts')).map((f) => f.kind);
  } finally {
    cleanup();
  }
}

describe('the floating-promise check', () => {
  it('finds a statement nobody awaits, a promise read as a truth value, and a promise handed to a callback whose caller will not wait for it, a promise given to expect()', () => {
    expect(plant(`ctx.run('DELETE FROM t');`)).toEqual(['floating']);
    expect(plant(`const rows = ['a', 'b']; rows.map((r) => ctx.run(r));`)).toEqual(['floating']);
    expect(plant(`if (ctx.get('SELECT 1')) return 1; return 0;`)).toEqual(['condition']);
    expect(plant(`return !ctx.get('SELECT 1') || (ctx.get('SELECT 2') && 2);`)).toEqual(['condition', 'condition']);
    expect(plant(`const v = ctx.get<{ n: number }>('SELECT n') ?? { n: 0 }; return v;`)).toEqual(['condition']);
    expect(plant(`['a'].forEach((r) => ctx.run(r));`)).toEqual(['callback']);
    expect(plant(`return ['a'].filter((r) => ctx.get(r)).length;`)).toEqual(['callback']);
    expect(plant(`each(['a'], async (r) => { await ctx.run(r); });`)).toEqual(['callback']);
    expect(plant(`after(async () => { await ctx.run('x'); });`)).toEqual(['callback']);
    expect(plant(`expect(ctx.get('x')).toEqual(undefined);`)).toEqual(['expect']);
    expect(plant(`const hooks: { done: () => void } = { done: () => ctx.run('x') }; return hooks;`)).toEqual(['callback']);
  });

  it('accepts what handles the promise: await, return, void, assignment, a rejection handler', () => {
    expect(
      plant(`
        await ctx.run('a');
        void ctx.run('b');
        const pending = ctx.run('c');
        await pending;
        await ctx.run('d').catch(() => undefined);
        await ctx.run('e').then(() => undefined, () => undefined);
        if (await ctx.get('SELECT 1')) await Promise.all(['x'].map((r) => ctx.run(r)));
        let later: Promise<unknown> | undefined;
        if (later) await later;
        later = ctx.run('f');
        each(['a'], (r) => { void ctx.run(r); });
        const all = await Promise.all(['y'].map(async (r) => ctx.get(r)));
        await ctx.run('h').then(async () => ctx.run('i'));
        await expect(ctx.get('y')).resolves.toEqual(undefined);
        await measure(() => ctx.run('j'));
        await ctx.run('k').finally(() => ctx.run('l'));
        return ctx.run('g');
      `),
    ).toEqual([]);
  });

  it("finds none in crud's sources, tests and benches", () => {
    const { program, ours } = crudProgram();
    const files = program.getSourceFiles().filter((f) => ours(f.fileName));
    expect(files.length).toBeGreaterThan(100);
    // A program that does not type-check hides promises behind `any`: it must be clean first.
    const errors = files.flatMap((f) => program.getSemanticDiagnostics(f)).map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(errors).toEqual([]);
    const found = findFloatingPromises(program, ours).map((f) => `${f.kind} ${f.file.slice(packageDir.length + 1)}:${f.line} ${f.text}`);
    expect(found).toEqual([]);
  }, 120_000);
});
