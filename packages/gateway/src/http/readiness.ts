export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
}

/** Something that can tell whether the gateway may take traffic (database open, migrations current). */
export type ReadinessProbe = () => Promise<ReadinessReport>;

export function combineChecks(checks: Record<string, ReadinessCheck>): ReadinessReport {
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
