/** The artifact kinds the service infers (protocol's ArtifactKind); `file` when nothing fits. */
export type InferredKind = 'file' | 'text' | 'code' | 'image' | 'audio' | 'video' | 'pdf' | 'spreadsheet' | 'archive' | 'json';

const CODE = /^(text\/(x-|javascript|typescript|css|html)|application\/(javascript|x-sh|sql))/;
const ARCHIVES = new Set(['application/zip', 'application/gzip', 'application/x-tar', 'application/x-7z-compressed', 'application/x-bzip2', 'application/zstd']);
const SPREADSHEETS = new Set(['text/csv', 'text/tab-separated-values', 'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.oasis.opendocument.spreadsheet']);

/** The kind of an artifact from its media type: what a client picks a viewer by. */
export function kindFromMediaType(mime: string): InferredKind {
  const type = mime.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/pdf') return 'pdf';
  if (SPREADSHEETS.has(type)) return 'spreadsheet';
  if (ARCHIVES.has(type)) return 'archive';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  if (CODE.test(type)) return 'code';
  if (type.startsWith('text/')) return 'text';
  return 'file';
}
