import type { ProjectionKindName, ProjectionSource } from './projection-types.js';

const TEXT_TYPES = new Set([
  'application/json', 'application/xml', 'application/javascript', 'application/ecmascript', 'application/x-yaml',
  'application/yaml', 'application/toml', 'application/x-sh', 'application/sql', 'application/x-ndjson', 'application/csv',
]);
const TEXT_EXTENSIONS = new Set(['txt', 'md', 'markdown', 'csv', 'tsv', 'json', 'jsonl', 'ndjson', 'xml', 'yaml', 'yml', 'toml', 'ini', 'log',
  'ts', 'tsx', 'js', 'mjs', 'cjs', 'jsx', 'py', 'rs', 'go', 'java', 'c', 'h', 'cpp', 'hpp', 'cs', 'rb', 'php', 'sh', 'sql', 'html', 'css', 'svg']);
// Raster formats sharp decodes with its bundled libvips. SVG is left out on purpose: rendering
// an untrusted SVG can fetch or include other files.
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/tiff', 'image/avif']);

const essence = (mime: string) => mime.split(';')[0]!.trim().toLowerCase();
const extension = (name: string) => (name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '');

/** Text a person or model can read as is (text/*, JSON, XML, YAML, source code). */
export function isTextLike(mime: string, name: string): boolean {
  const type = essence(mime);
  return type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+json') || type.endsWith('+xml') || (type === 'application/octet-stream' && TEXT_EXTENSIONS.has(extension(name)));
}

/** JSON by media type (`application/json`, `+json`) or by a `.json` name. */
export function isJson(mime: string, name: string): boolean {
  const type = essence(mime);
  return type === 'application/json' || type.endsWith('+json') || (!type.startsWith('image/') && extension(name) === 'json');
}

/** A raster image sharp decodes (PNG, JPEG, WebP, GIF, TIFF, AVIF); never SVG. */
export function isRasterImage(mime: string): boolean {
  return IMAGE_TYPES.has(essence(mime));
}

/** A PDF by media type, or an untyped file named `.pdf`. */
export function isPdf(mime: string, name: string): boolean {
  return essence(mime) === 'application/pdf' || (essence(mime) === 'application/octet-stream' && extension(name) === 'pdf');
}

/**
 * The projections that apply to a version, in the order they run. The size limits are not
 * applied here: a version over a limit gets its projection recorded as `skipped`, so a client
 * sees why there is no thumbnail rather than nothing.
 */
export function projectionKindsFor(source: Pick<ProjectionSource, 'mime_type' | 'name'>): ProjectionKindName[] {
  const kinds: ProjectionKindName[] = [];
  if (isTextLike(source.mime_type, source.name)) kinds.push('plain_text');
  if (isJson(source.mime_type, source.name)) kinds.push('json_summary');
  if (isRasterImage(source.mime_type)) kinds.push('thumbnail');
  if (isPdf(source.mime_type, source.name)) kinds.push('pdf_text');
  return kinds;
}

/** A guess of the media type from a file name (capture, paths), `application/octet-stream` when unknown. */
export function mediaTypeFromName(name: string): string {
  const ext = extension(name);
  const known: Record<string, string> = {
    txt: 'text/plain', log: 'text/plain', md: 'text/markdown', markdown: 'text/markdown', csv: 'text/csv', tsv: 'text/tab-separated-values',
    html: 'text/html', css: 'text/css', json: 'application/json', jsonl: 'application/x-ndjson', ndjson: 'application/x-ndjson',
    xml: 'application/xml', yaml: 'application/yaml', yml: 'application/yaml', toml: 'application/toml', js: 'text/javascript',
    mjs: 'text/javascript', ts: 'text/x-typescript', py: 'text/x-python', rs: 'text/x-rust', go: 'text/x-go', sh: 'application/x-sh',
    sql: 'application/sql', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif',
    tif: 'image/tiff', tiff: 'image/tiff', avif: 'image/avif', svg: 'image/svg+xml', pdf: 'application/pdf', zip: 'application/zip',
    gz: 'application/gzip', tar: 'application/x-tar', mp3: 'audio/mpeg', wav: 'audio/wav', mp4: 'video/mp4', webm: 'video/webm',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
  return known[ext] ?? 'application/octet-stream';
}
