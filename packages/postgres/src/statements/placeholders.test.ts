import { describe, expect, it } from '@jest/globals';
import { translatePlaceholders } from './placeholders.js';

const text = (sql: string) => translatePlaceholders(sql).text;

describe('translatePlaceholders', () => {
  it('numbers ? placeholders in order', () => {
    expect(translatePlaceholders('INSERT INTO t (a, b, c) VALUES (?, ?, ?)')).toMatchObject({
      text: 'INSERT INTO t (a, b, c) VALUES ($1, $2, $3)',
      parameters: 3,
    });
    expect(text('SELECT * FROM t WHERE a = ? AND b IN (?,?)')).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2,$3)');
  });

  it('leaves ? alone inside string literals, with doubled quotes and E-string backslash escapes', () => {
    expect(text("SELECT 'what?', ? FROM t WHERE x = 'it''s ?' AND y = ?")).toBe("SELECT 'what?', $1 FROM t WHERE x = 'it''s ?' AND y = $2");
    expect(text("SELECT E'a\\'?', ?")).toBe("SELECT E'a\\'?', $1");
    expect(text("SELECT e'\\\\', ?")).toBe("SELECT e'\\\\', $1");
    // Outside an E-string a backslash is an ordinary character (standard_conforming_strings).
    expect(text("SELECT 'a\\', ?")).toBe("SELECT 'a\\', $1");
    // An identifier ending in e is not an E-string prefix.
    expect(text("SELECT type'\\', ?")).toBe("SELECT type'\\', $1");
  });

  it('leaves ? alone inside quoted identifiers', () => {
    expect(text('SELECT "odd?col", "a""?b" FROM t WHERE id = ?')).toBe('SELECT "odd?col", "a""?b" FROM t WHERE id = $1');
  });

  it('leaves ? alone inside dollar-quoted bodies, tagged or not', () => {
    const fn = 'CREATE FUNCTION f() RETURNS text AS $$ SELECT \'?\' || ? $$ LANGUAGE sql';
    expect(text(fn)).toBe(fn);
    expect(text('SELECT $body$ ? $inner$ ? $inner$ ? $body$, ?')).toBe('SELECT $body$ ? $inner$ ? $inner$ ? $body$, $1');
    // A $ inside an identifier is not a dollar quote.
    expect(text('SELECT a$b$c, ? FROM t')).toBe('SELECT a$b$c, $1 FROM t');
  });

  it('leaves ? alone inside line and (nested) block comments', () => {
    expect(text('SELECT ? -- why?\n, ?')).toBe('SELECT $1 -- why?\n, $2');
    expect(text('SELECT /* a ? /* nested ? */ still ? */ ?')).toBe('SELECT /* a ? /* nested ? */ still ? */ $1');
    expect(text('SELECT ? -- trailing ?')).toBe('SELECT $1 -- trailing ?');
  });

  it('passes $n SQL through and counts its highest placeholder', () => {
    expect(translatePlaceholders('SELECT $1, $2, $1')).toMatchObject({ text: 'SELECT $1, $2, $1', parameters: 2 });
    expect(translatePlaceholders("SELECT '$3'")).toMatchObject({ parameters: 0 });
  });

  it('refuses SQL that mixes both styles', () => {
    expect(() => translatePlaceholders('SELECT ?, $2')).toThrow(expect.objectContaining({ code: 'invalid_statement' }));
  });

  it('names a statement after its text: equal texts share a name, different texts never do', () => {
    const a = translatePlaceholders('SELECT ? AS one');
    const b = translatePlaceholders('SELECT $1 AS one');
    const c = translatePlaceholders('SELECT ? AS two');
    expect(a.name).toBe(b.name);
    expect(a.name).not.toBe(c.name);
    expect(a.name).toMatch(/^cairn_[A-Za-z0-9_-]{22}$/);
    expect(translatePlaceholders('SELECT ? AS one')).toBe(a);
  });

  it('keeps its cache bounded', () => {
    for (let i = 0; i < 3000; i++) translatePlaceholders(`SELECT ${i}, ?`);
    // The earliest entries were evicted and are translated (equally) again.
    expect(translatePlaceholders('SELECT 0, ?').text).toBe('SELECT 0, $1');
  });
});
