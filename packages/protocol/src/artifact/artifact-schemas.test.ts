import { describe, expect, it } from '@jest/globals';
import { checkValue } from '../common/check-value.js';
import { NOTIFICATIONS, NOTIFICATION_OF_EVENT } from '../notifications/notifications.js';
import { ARTIFACT_KINDS, ArtifactBindingInput, ArtifactName, BINDING_KINDS, DEFAULT_BINDING_DIRECTION } from './artifact.js';
import { ARTIFACT_EVENT_TYPES, ThreadArtifactsChangedNotification } from './artifact-events.js';
import { artifactMethods } from './artifact-methods.js';

describe('artifact protocol', () => {
  it('declares the metadata methods of PROTOCOL.md, each with strict params', () => {
    expect(Object.keys(artifactMethods).sort()).toEqual(
      ['artifact/capabilities', 'artifact/list', 'artifact/list/thread', 'artifact/list/turn', 'artifact/list/message', 'artifact/get', 'artifact/read', 'artifact/bind', 'artifact/delete', 'artifact/restore'].sort(),
    );
    for (const [name, spec] of Object.entries(artifactMethods)) {
      expect([name, checkValue(spec.params, { workspace_id: 'w', surprise: 1 }).ok]).toEqual([name, false]);
    }
  });

  it('maps every artifact event type to a notification that exists', () => {
    for (const type of ARTIFACT_EVENT_TYPES) {
      const name = NOTIFICATION_OF_EVENT[type];
      expect([type, typeof name === 'string' && Object.hasOwn(NOTIFICATIONS, name)]).toEqual([type, true]);
    }
    expect(NOTIFICATION_OF_EVENT['artifact.bound']).toBe('thread/artifacts/changed');
    expect(NOTIFICATION_OF_EVENT['workspace.quota_warning']).toBe('workspace/quota/warning');
    // thread/artifacts/changed always names its thread.
    expect(checkValue(ThreadArtifactsChangedNotification, { workspace_id: 'w', seq: 1, recorded_at: '2025-01-01T00:00:00.000Z', change: 'bound', artifact_id: 'a', binding: {} }).ok).toBe(false);
  });

  it('gives every binding kind a default direction', () => {
    expect(Object.keys(DEFAULT_BINDING_DIRECTION).sort()).toEqual([...BINDING_KINDS].sort());
    expect(ARTIFACT_KINDS).toEqual(expect.arrayContaining(['file', 'text', 'image', 'audio', 'video', 'pdf', 'spreadsheet', 'archive', 'json', 'screenshot']));
  });

  it.each(['report.pdf', 'a b.txt', 'ünïcode.md', '.env'])('accepts the name %j', (name) => {
    expect(checkValue(ArtifactName, name).ok).toBe(true);
  });

  it.each(['', '.', '..', 'a/b', 'a\\b', 'tab\there', 'x'.repeat(256)])('refuses the name %j (never a path)', (name) => {
    expect(checkValue(ArtifactName, name).ok).toBe(false);
  });

  it('refuses an unknown binding kind or field', () => {
    expect(checkValue(ArtifactBindingInput, { binding_kind: 'user_input', thread_id: 't' }).ok).toBe(true);
    expect(checkValue(ArtifactBindingInput, { binding_kind: 'stolen' }).ok).toBe(false);
    expect(checkValue(ArtifactBindingInput, { binding_kind: 'user_input', path: '/etc' }).ok).toBe(false);
  });
});
