/**
 * The settings the service reads: `[quotas]`, `[capture]` and `[artifacts]` of the gateway
 * settings (`GatewaySettings` from `@cairn/config` satisfies it as is).
 */
export interface ArtifactServiceSettings {
  quotas: {
    max_artifact_bytes: number;
    workspace_artifact_bytes: number;
    workspace_artifact_files: number;
    warn_at_fraction: number;
  };
  capture: {
    user_uploads: boolean;
    new_workspace_files: boolean;
    modified_workspace_files: boolean;
    generated_media: boolean;
    tool_outputs: boolean;
    task_results: boolean;
    max_files_per_turn: number;
    max_file_bytes: number;
    max_turn_bytes: number;
    ignore: string[];
  };
  artifacts: {
    gc_grace_hours: number;
  };
}
