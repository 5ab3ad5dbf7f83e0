import { Type, type Static } from 'typebox';
import { LIMITS } from '../common/limits.js';

/**
 * What an agent running in a thread may touch. `read_only`: read the workspace, write
 * nothing; `workspace_write`: write inside the workspace root and `writable_roots`;
 * `full_access`: no filesystem sandbox. `network_access` is independent of the mode.
 * Enforcing it is the runtime's job; Cairn stores and reports it.
 */
export const SandboxMode = Type.Union([Type.Literal('read_only'), Type.Literal('workspace_write'), Type.Literal('full_access')]);
export type SandboxMode = Static<typeof SandboxMode>;

export const SandboxPolicy = Type.Object(
  {
    mode: SandboxMode,
    /** Absolute paths writable besides the workspace root (meaningful for `workspace_write`). */
    writable_roots: Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.pathLength }), {
      maxItems: LIMITS.writableRoots,
    }),
    network_access: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type SandboxPolicy = Static<typeof SandboxPolicy>;

/** The policy of a thread started without one: write the workspace, no network. */
export const DEFAULT_SANDBOX_POLICY: SandboxPolicy = Object.freeze({
  mode: 'workspace_write',
  writable_roots: Object.freeze([]) as unknown as string[],
  network_access: false,
}) as SandboxPolicy;
