import { createHash } from 'node:crypto';
import { PostgresStorageError } from '../errors.js';

/** A statement as PostgreSQL receives it: `$1..$n` placeholders and a prepared-statement name derived from the text. */
export interface TranslatedSql {
  text: string;
  /** Placeholders the statement expects (`?` counted, or the highest `$n`). */
  parameters: number;
  /** `cairn_<hash of text>`: the same text always gets the same name, so no two texts share one. */
  name: string;
}

const CACHE_LIMIT = 1024;
const cache = new Map<string, TranslatedSql>();

/**
 * Translates the `?` placeholders Cairn's SQL is written with (the SQLite convention crud
 * shares) into PostgreSQL's `$1..$n`, once per SQL text (cached, bounded). A `?` inside a
 * string literal (`'...'`, `E'...'`), a quoted identifier (`"..."`), a dollar-quoted body
 * (`$$...$$`, `$tag$...$tag$`) or a comment (`--`, nested `/* *\/`) is left alone. SQL written
 * with `$n` already passes unchanged; mixing both styles is refused. PostgreSQL's jsonb
 * operators `?`, `?|` and `?&` cannot be written here: use `jsonb_exists`,
 * `jsonb_exists_any`, `jsonb_exists_all`.
 */
export function translatePlaceholders(sql: string): TranslatedSql {
  let hit = cache.get(sql);
  if (hit) {
    // Refresh: the map's order is its eviction order (least recently used first).
    cache.delete(sql);
    cache.set(sql, hit);
    return hit;
  }
  const { text, parameters } = rewrite(sql);
  hit = { text, parameters, name: `cairn_${createHash('sha1').update(text).digest('base64url').slice(0, 22)}` };
  cache.set(sql, hit);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return hit;
}

const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

function rewrite(sql: string): { text: string; parameters: number } {
  let out = '';
  let question = 0;
  let highestDollar = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? n : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const stop = skipBlockComment(sql, i);
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "'") {
      // E'...' (and e'...') allow backslash escapes; a plain literal only doubles quotes.
      const escapes = (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !isIdentChar(sql[i - 2]);
      const stop = skipQuoted(sql, i, "'", escapes);
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '"') {
      const stop = skipQuoted(sql, i, '"', false);
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '$' && !isIdentChar(sql[i - 1])) {
      const digits = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (digits) {
        highestDollar = Math.max(highestDollar, Number(digits[1]));
        out += digits[0];
        i += digits[0].length;
        continue;
      }
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64));
      if (!tag) {
        out += c;
        i++;
        continue;
      }
      const close = sql.indexOf(tag[0], i + tag[0].length);
      const stop = close === -1 ? n : close + tag[0].length;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      question++;
      out += `$${question}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  if (question > 0 && highestDollar > 0) {
    throw new PostgresStorageError('invalid_statement', 'SQL mixes ? and $n placeholders; write one style', { details: { sql } });
  }
  return { text: out, parameters: question || highestDollar };
}

/** Index just past a quoted run starting at `start`; a doubled quote is an escaped one. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** PostgreSQL's block comments nest. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}
