import { isAbsolute, resolve } from 'node:path';
import { CairnError } from '@cairn/protocol';
import type { RuntimePaths } from '../home/runtime-home.js';
import type { GatewaySettings } from './schema.js';

/**
 * The directory the artifact blob store is rooted at: `[artifacts] root` when set (absolute:
 * anywhere, e.g. storage several gateways share; relative: inside the home), else
 * `<home>/artifacts`. A root with `..` segments is `invalid_params`, like the home itself.
 */
export function resolveArtifactsRoot(settings: Pick<GatewaySettings, 'artifacts'>, paths: Pick<RuntimePaths, 'home' | 'artifactsDir'>): string {
  const root = settings.artifacts.root;
  if (root === undefined) return paths.artifactsDir;
  if (root.split(/[\\/]+/).includes('..')) {
    throw new CairnError('invalid_params', `[artifacts] root must not contain '..' segments: ${root}`, { details: { root } });
  }
  return isAbsolute(root) ? resolve(root) : resolve(paths.home, root);
}
