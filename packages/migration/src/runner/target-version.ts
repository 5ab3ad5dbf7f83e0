import { MigrationError } from './migration-error.js';
import { latestVersion } from './validate-set.js';
import type { MigrationSet } from './types.js';

export function assertTargetVersion(set: MigrationSet, target: number): number {
  const latest = latestVersion(set);
  if (!Number.isInteger(target) || target < 0 || target > latest) {
    throw new MigrationError('invalid_target', `${set.service} target version ${target} is not an integer between 0 and ${latest}`, {
      details: { service: set.service, targetVersion: target, latestVersion: latest },
    });
  }
  return target;
}
