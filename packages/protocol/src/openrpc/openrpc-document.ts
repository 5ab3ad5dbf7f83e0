import type { TSchema } from 'typebox';
import { ERROR_CODES } from '../errors/error-codes.js';
import { METHODS } from '../methods/registry.js';
import type { MethodGroup } from '../methods/define-methods.js';
import { NOTIFICATIONS } from '../notifications/notifications.js';

/** The OpenRPC version the document declares (https://spec.open-rpc.org). */
export const OPENRPC_VERSION = '1.3.2';

export interface OpenRpcOptions {
  /** Defaults to this package's protocol version. */
  version?: string;
  /** Server URL listed in `servers` (default the gateway's default address). */
  url?: string;
  /** Defaults to `METHODS`; tests pass a smaller table. */
  methods?: MethodGroup;
}

/** A TypeBox schema as plain JSON Schema: TypeBox keeps its bookkeeping out of enumerable keys, so a JSON round trip is enough. */
export function toJsonSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

interface ObjectSchema {
  properties?: Record<string, TSchema>;
  required?: string[];
}

/**
 * Every method's params and result as JSON Schema, by method name: what `cairn schema export`
 * writes one file each of, and what client generators in other languages read.
 */
export function methodJsonSchemas(methods: MethodGroup = METHODS): Record<string, { params: Record<string, unknown>; result: Record<string, unknown> }> {
  const out: Record<string, { params: Record<string, unknown>; result: Record<string, unknown> }> = {};
  for (const [name, spec] of Object.entries(methods)) out[name] = { params: toJsonSchema(spec.params), result: toJsonSchema(spec.result) };
  return out;
}

/** Every notification's params as JSON Schema, by notification name. */
export function notificationJsonSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, schema] of Object.entries(NOTIFICATIONS)) out[name] = toJsonSchema(schema);
  return out;
}

/**
 * The whole surface as one OpenRPC document. Params are by name (JSON-RPC params objects): each
 * top-level property of a method's params schema is one content descriptor. OpenRPC has no
 * notion of server-to-client notifications, so they are listed under the `x-notifications`
 * extension; the error codes are `components.errors`, with the stable `data.code` string.
 */
export function openRpcDocument(options: OpenRpcOptions = {}): Record<string, unknown> {
  const methods = Object.entries(options.methods ?? METHODS)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, spec]) => {
      const params = spec.params as unknown as ObjectSchema;
      const required = new Set(params.required ?? []);
      return {
        name,
        paramStructure: 'by-name',
        params: Object.entries(params.properties ?? {}).map(([param, schema]) => ({
          name: param,
          required: required.has(param),
          schema: toJsonSchema(schema),
        })),
        result: { name: 'result', schema: toJsonSchema(spec.result) },
      };
    });
  const errors: Record<string, unknown> = {};
  for (const [code, entry] of Object.entries(ERROR_CODES)) {
    errors[code] = { code: entry.rpc, message: entry.meaning, data: { code } };
  }
  return {
    openrpc: OPENRPC_VERSION,
    info: {
      title: 'Cairn gateway',
      version: options.version ?? '0.1.0',
      description: 'JSON-RPC 2.0 over a WebSocket (`/rpc`). Notifications are listed under x-notifications.',
    },
    servers: [{ name: 'gateway', url: options.url ?? 'ws://127.0.0.1:17878/rpc' }],
    methods,
    components: { errors },
    'x-notifications': Object.entries(NOTIFICATIONS).map(([name, schema]) => ({ name, params: toJsonSchema(schema) })),
  };
}
