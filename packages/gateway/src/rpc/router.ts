import { CairnError, METHODS, checkValue, type MethodName, type ParamsOf, type ResultOf } from '@cairn/protocol';
import { requireOperator, requireWorkspace, type Principal } from '../auth/principal.js';
import type { GatewayServices } from './services.js';
import type { Session } from '../session/session.js';

/**
 * Who may call a method. `workspace`: params name a `workspace_id` the token must reach.
 * `optional_workspace`: the same when named; a workspace token must name one. `operator`:
 * operator tokens only. `any`: every valid token (the handler narrows what it answers).
 */
export type Access = 'workspace' | 'optional_workspace' | 'operator' | 'any';

export interface CallContext {
  readonly principal: Principal;
  readonly session: Session;
  readonly services: GatewayServices;
}

export interface Handler<M extends MethodName> {
  readonly access: Access;
  /**
   * The method changes what the journal or the read models hold: after it returns (after
   * commit) the notification hub is woken for its workspace.
   */
  readonly writes?: boolean;
  handle(params: ParamsOf<M>, call: CallContext): Promise<ResultOf<M>>;
}

/** Every method of the protocol, each with its handler: the compiler refuses a table that misses one. */
export type HandlerTable = { readonly [M in MethodName]: Handler<M> };

/** A domain's part of the table; `createRouter` joins the parts and checks each method has exactly one handler. */
export type HandlerGroup = { readonly [M in MethodName]?: Handler<M> };

export interface Router {
  readonly methods: readonly MethodName[];
  has(method: string): method is MethodName;
  /** Validates params against the protocol schema, checks access, runs the handler; throws a `CairnError` to answer. */
  dispatch(method: string, params: unknown, call: CallContext): Promise<unknown>;
}

/**
 * The router is a table from method name to handler, built from domain groups (the task and
 * artifact issues add theirs). Params are validated against `METHODS[name].params` before any
 * handler runs; a handler receives only values its schema allows.
 */
export function createRouter(...groups: HandlerGroup[]): Router {
  const table: Partial<Record<MethodName, Handler<MethodName>>> = {};
  for (const group of groups) {
    for (const [name, handler] of Object.entries(group) as Array<[MethodName, Handler<MethodName>]>) {
      if (!Object.hasOwn(METHODS, name)) throw new Error(`router: ${name} is not a protocol method`);
      if (table[name]) throw new Error(`router: ${name} has two handlers`);
      table[name] = handler;
    }
  }
  const methods = Object.keys(table).sort() as MethodName[];
  return {
    methods,
    has: (method): method is MethodName => Object.hasOwn(table, method),
    async dispatch(method, params, call) {
      const handler = Object.hasOwn(table, method) ? table[method as MethodName] : undefined;
      if (!handler) throw new CairnError('method_not_found', `no method named ${JSON.stringify(method.slice(0, 100))}`);
      const name = method as MethodName;
      const checked = checkParams(name, params);
      checkAccess(handler.access, checked, call.principal, name);
      const result = await handler.handle(checked as never, call);
      if (handler.writes) {
        const workspaceId = (checked as { workspace_id?: unknown }).workspace_id;
        if (typeof workspaceId === 'string') call.services.hub.wake(workspaceId);
      }
      return result;
    },
  };
}

function checkParams(method: MethodName, params: unknown): unknown {
  let result;
  try {
    result = checkValue(METHODS[method].params, params);
  } catch {
    // A value so deep or large that the validator itself gave up: still the client's params.
    throw new CairnError('invalid_params', `params of ${method} could not be checked`);
  }
  if (result.ok) return result.value;
  throw new CairnError('invalid_params', `params of ${method} do not match its schema`, { details: { issues: result.issues } });
}

function checkAccess(access: Access, params: unknown, principal: Principal, method: string): void {
  const workspaceId = (params as { workspace_id?: unknown }).workspace_id;
  switch (access) {
    case 'workspace':
      requireWorkspace(principal, workspaceId as string);
      return;
    case 'optional_workspace':
      if (typeof workspaceId === 'string') requireWorkspace(principal, workspaceId);
      else if (!principal.operator) throw new CairnError('forbidden_workspace', `${method} with a workspace token must name a workspace_id`);
      return;
    case 'operator':
      requireOperator(principal, method);
      return;
    case 'any':
      return;
  }
}
