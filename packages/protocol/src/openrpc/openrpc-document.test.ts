import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';
import { METHODS } from '../methods/registry.js';
import { NOTIFICATIONS } from '../notifications/notifications.js';
import { methodJsonSchemas, notificationJsonSchemas, openRpcDocument } from './openrpc-document.js';

// strict off: TypeBox schemas may carry keywords ajv does not know. The OpenRPC meta-schema
// refers to its JSON Schema meta-schema by URL (`https://meta.json-schema.tools`, the npm
// package @json-schema-tools/meta-schema, which the OpenRPC project publishes beside it) and
// names that as its own `$schema` draft; ajv has no such draft, and both are draft-07 in all
// but name, so they are added without `$schema` and compiled as draft-07.
// Both packages declare only types in their .d.ts; the schemas are their CommonJS exports.
const require = createRequire(import.meta.url);
const { jsonSchema: jsonMetaSchema } = require('@json-schema-tools/meta-schema') as { jsonSchema: object };
const { openrpcDocument: metaSchema } = require('@open-rpc/meta-schema') as { openrpcDocument: object };
const ajv = () => new Ajv({ strict: false, allErrors: true, validateFormats: false });
const withoutDraft = (schema: object) => {
  const { $schema: _draft, ...rest } = schema as Record<string, unknown>;
  return rest;
};
const explain = (errors: ErrorObject[] | null | undefined) => (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n');

describe('openRpcDocument', () => {
  const document = openRpcDocument();

  it('is valid against the official OpenRPC meta-schema', () => {
    const validate = ajv().addSchema(withoutDraft(jsonMetaSchema), 'https://meta.json-schema.tools').compile(withoutDraft(metaSchema));
    const valid = validate(document);
    expect(explain(validate.errors)).toBe('');
    expect(valid).toBe(true);
    // The check has teeth: a root key outside the spec and not `x-` prefixed is refused, so
    // `x-notifications` passes as a specification extension, not by a lax validator.
    expect(validate({ ...document, notifications: [] })).toBe(false);
    expect(validate({ ...document, methods: [{ name: 'x', params: [{ name: 'p' }] }] })).toBe(false);
  });

  it('lists every method of METHODS exactly once, and nothing else', () => {
    const names = (document.methods as Array<{ name: string }>).map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(METHODS).sort());
  });

  it('lists every notification exactly once', () => {
    const names = (document['x-notifications'] as Array<{ name: string }>).map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(NOTIFICATIONS).sort());
  });
});

describe('methodJsonSchemas and notificationJsonSchemas', () => {
  it('has params and result for every method, each a schema ajv compiles', () => {
    const schemas = methodJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(METHODS).sort());
    const compiler = ajv();
    for (const [name, { params, result }] of Object.entries(schemas)) {
      expect(() => compiler.compile(params)).not.toThrow();
      expect(() => compiler.compile(result)).not.toThrow();
      expect(name).toMatch(/^[a-z_]+(\/[a-z_]+)*$/);
    }
  });

  it('has a schema ajv compiles for every notification', () => {
    const schemas = notificationJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(NOTIFICATIONS).sort());
    const compiler = ajv();
    for (const schema of Object.values(schemas)) expect(() => compiler.compile(schema)).not.toThrow();
  });
});
