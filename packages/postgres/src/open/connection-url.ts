import { parseIntoClientConfig } from 'pg-connection-string';
import type pg from 'pg';
import { PostgresStorageError } from '../errors.js';

export interface ParsedUrl {
  /** pg's connection settings without the password. */
  config: pg.ClientConfig;
  password: string | undefined;
  /** The URL with the password replaced by `***`: the only form that goes into a message. */
  redacted: string;
  /** Removes the password (as written and percent-decoded) from any text. */
  redact: (text: string) => string;
}

/**
 * Parses a `postgres://` / `postgresql://` URL (pg-connection-string, the parser pg itself
 * uses: `?sslmode=`, `?host=/socket/dir`, `?options=` and friends work). The password is
 * taken out of the config and later handed to pg as a function, so it never sits in the
 * DataSource's options where a log of them would show it.
 */
export function parseDatabaseUrl(url: string): ParsedUrl {
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//i.test(url.trim())) {
    throw new PostgresStorageError('connection_failed', 'database URL must start with postgres:// or postgresql://', {
      details: { reason: 'invalid_url' },
    });
  }
  const secret = rawPassword(url);
  const redact = redactor(secret);
  let config: pg.ClientConfig;
  try {
    config = parseIntoClientConfig(url.trim());
  } catch (cause) {
    throw new PostgresStorageError('connection_failed', `database URL ${redactUrl(url)} cannot be parsed: ${redact(String((cause as Error).message))}`, {
      details: { reason: 'invalid_url' },
    });
  }
  const password = typeof config.password === 'string' && config.password !== '' ? config.password : undefined;
  delete config.password;
  const fullRedact = redactor(secret, password);
  return { config, password, redacted: redactUrl(url), redact: fullRedact };
}

/** The password between `user:` and `@` of the authority, as written (maybe percent-encoded). */
function rawPassword(url: string): string | undefined {
  const match = /^[a-z]+:\/\/([^@/?#]*)@/i.exec(url.trim());
  const userinfo = match?.[1];
  if (!userinfo || !userinfo.includes(':')) return undefined;
  return userinfo.slice(userinfo.indexOf(':') + 1);
}

export function redactUrl(url: string): string {
  return url.trim().replace(/^([a-z]+:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1:***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

function redactor(...secrets: Array<string | undefined>): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    try {
      forms.add(decodeURIComponent(s));
    } catch {
      // not percent-encoded
    }
    forms.add(encodeURIComponent(s));
  }
  const list = [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
  return (text) => list.reduce((t, f) => t.split(f).join('***'), text);
}
