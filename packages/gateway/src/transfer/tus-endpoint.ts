import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable } from 'node:stream';
import { Server, type ServerOptions } from '@tus/server';
import { DataStore, Upload } from '@tus/utils';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CairnError, checkValue, isCairnError, UploadStartParams } from '@cairn/protocol';
import { bearerOf } from '../auth/bearer.js';
import { principalOf, requireWorkspace, type Principal } from '../auth/principal.js';
import type { GatewayServices } from '../rpc/services.js';
import type { UploadManager } from './upload-manager.js';

/** The path of the tus 1.0 endpoint. */
export const TUS_PATH = '/uploads';

interface TusRequestContext {
  principal: Principal;
  /** `Upload-Checksum` of this PATCH, decoded (the checksum extension). */
  checksum: { algorithm: 'sha256'; digest: Buffer } | undefined;
}

/** A tus error as `@tus/server` answers it. */
interface TusError {
  status_code: number;
  body: string;
}

const HTTP_OF: Partial<Record<string, number>> = {
  invalid_params: 400,
  invalid_frame: 400,
  unauthorized: 401,
  forbidden_workspace: 403,
  not_found: 404,
  conflict: 409,
  session_expired: 410,
  payload_too_large: 413,
  quota_exceeded: 413,
  checksum_mismatch: 460,
  unavailable: 503,
};

/** A `CairnError` as tus answers it: an HTTP status and the same `{ error: { code, message, details } }` body as the RPC. */
function tusError(error: unknown): TusError {
  if (isCairnError(error)) {
    return {
      status_code: HTTP_OF[error.code] ?? 500,
      body: JSON.stringify({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } }) + '\n',
    };
  }
  if (typeof error === 'object' && error !== null && 'status_code' in error) return error as TusError;
  return { status_code: 500, body: JSON.stringify({ error: { code: 'internal_error', message: 'internal error; the gateway log has the details' } }) + '\n' };
}

/**
 * A tus `DataStore` over the gateway's upload sessions: the bytes go to the blob store's upload
 * temps through the same `UploadManager` the socket path uses (no path is built here), so a tus
 * upload has the same ownership, declared-size, durability and running-hash rules, and its
 * completion goes through the same `finish` (whole-file SHA-256, quotas, `ArtifactService`).
 */
export class CairnTusStore extends DataStore {
  readonly #uploads: UploadManager;
  readonly #context: AsyncLocalStorage<TusRequestContext>;

  constructor(uploads: UploadManager, context: AsyncLocalStorage<TusRequestContext>) {
    super();
    this.#uploads = uploads;
    this.#context = context;
    this.extensions = ['creation', 'creation-with-upload', 'termination', 'checksum'];
  }

  #principal(): Principal {
    const context = this.#context.getStore();
    if (!context) throw new CairnError('unauthorized', 'no authenticated tus request');
    return context.principal;
  }

  /** The session row exists already (created when the id was chosen); nothing more to do. */
  override async create(upload: Upload): Promise<Upload> {
    upload.creation_date ??= new Date().toISOString();
    return upload;
  }

  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    const context = this.#context.getStore();
    try {
      return await this.#uploads.append(this.#principal(), id, offset, stream, context?.checksum);
    } catch (error) {
      throw tusError(error);
    }
  }

  override async getUpload(id: string): Promise<Upload> {
    try {
      const session = await this.#uploads.status(this.#principal(), undefined, id);
      if (session.state === 'expired') throw new CairnError('session_expired', 'the upload session has expired');
      if (session.state !== 'open') throw new CairnError('not_found', `the upload session is ${session.state}`);
      return new Upload({ id, size: session.size_bytes, offset: session.received_bytes, metadata: { workspace_id: session.workspace_id, filename: session.file_name, sha256: session.sha256 } });
    } catch (error) {
      throw tusError(error);
    }
  }

  override async remove(id: string): Promise<void> {
    try {
      if (!(await this.#uploads.abort(this.#principal(), undefined, id))) throw new CairnError('not_found', 'the upload session is no longer open');
    } catch (error) {
      throw tusError(error);
    }
  }

  override async deleteExpired(): Promise<number> {
    return (await this.#uploads.pruneExpired()).expired;
  }
}

/** The `UploadStartParams` a tus creation request describes: `Upload-Length` and the metadata (workspace_id, filename|name, filetype|type, sha256, thread_id?, turn_id?). */
function startParamsOf(length: string | null, metadata: Record<string, string | null> | undefined): UploadStartParams {
  const m = metadata ?? {};
  const value = (...keys: string[]) => {
    for (const key of keys) {
      const v = m[key];
      if (typeof v === 'string' && v.length > 0) return v;
    }
    return undefined;
  };
  const params = {
    workspace_id: value('workspace_id'),
    file_name: value('filename', 'name'),
    mime_type: value('filetype', 'type') ?? 'application/octet-stream',
    size_bytes: length === null ? undefined : Number(length),
    sha256: value('sha256')?.toLowerCase(),
    ...(value('thread_id') ? { thread_id: value('thread_id') } : {}),
    ...(value('turn_id') ? { turn_id: value('turn_id') } : {}),
  };
  const checked = checkValue(UploadStartParams, params);
  if (!checked.ok) {
    throw new CairnError('invalid_params', 'tus metadata must carry workspace_id, filename (or name), sha256 (hex) and an Upload-Length', { details: { issues: checked.issues } });
  }
  return checked.value;
}

function checksumOf(header: string | string[] | undefined): TusRequestContext['checksum'] {
  if (typeof header !== 'string') return undefined;
  const [algorithm, encoded] = header.trim().split(/\s+/);
  if (algorithm?.toLowerCase() !== 'sha256' || !encoded) {
    throw new CairnError('invalid_params', 'Upload-Checksum: only sha256 is supported', { details: { reason: 'checksum_algorithm' } });
  }
  const digest = Buffer.from(encoded, 'base64');
  if (digest.length !== 32) throw new CairnError('invalid_params', 'Upload-Checksum: not a base64 SHA-256', { details: { reason: 'checksum_value' } });
  return { algorithm: 'sha256', digest };
}

/**
 * `/uploads`: tus 1.0 (core, creation, creation-with-upload, checksum with sha256,
 * termination) served by `@tus/server` over `CairnTusStore`. Every request but OPTIONS needs
 * the same bearer token as the socket (401 without); creation checks the workspace in the
 * metadata against the token's scope and `Upload-Length` against `[quotas]`; an upload
 * belongs to the token that created it. When the last byte lands, the upload is finished like
 * `artifact/upload/finish` (whole-file SHA-256, quotas, one artifact version) and the answer
 * carries `Cairn-Artifact-Id` and `Cairn-Version-Id`.
 */
export function registerTus(app: FastifyInstance, services: GatewayServices): Server {
  const context = new AsyncLocalStorage<TusRequestContext>();
  const uploads = services.transfer.uploads;
  const principalNow = () => {
    const store = context.getStore();
    if (!store) throw tusError(new CairnError('unauthorized', 'a valid bearer token is required'));
    return store.principal;
  };
  const options: ServerOptions & { datastore: DataStore } = {
    path: TUS_PATH,
    datastore: new CairnTusStore(uploads, context),
    relativeLocation: true,
    locker: undefined as never,
    maxSize: () => services.transfer.maxArtifactBytes() ?? 0,
    exposedHeaders: ['Cairn-Artifact-Id', 'Cairn-Version-Id'],
    namingFunction: async (req, metadata) => {
      try {
        const params = startParamsOf(req.headers.get('upload-length'), metadata);
        const principal = principalNow();
        requireWorkspace(principal, params.workspace_id);
        const session = await uploads.start(principal, params);
        return session.upload_id;
      } catch (error) {
        throw tusError(error);
      }
    },
    onUploadFinish: async (_req, upload) => {
      try {
        const artifact = await uploads.finish(principalNow(), undefined, upload.id);
        services.hub.wake(artifact.workspace_id);
        return { headers: { 'Cairn-Artifact-Id': artifact.artifact_id, 'Cairn-Version-Id': artifact.version_id } };
      } catch (error) {
        throw tusError(error);
      }
    },
    onResponseError: (_req, error) => (typeof error === 'object' && error !== null && 'status_code' in error ? undefined : tusError(error)),
  };
  delete (options as { locker?: unknown }).locker;
  const tus = new Server(options as ConstructorParameters<typeof Server>[0]);

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    let principal: Principal | undefined;
    let checksum: TusRequestContext['checksum'];
    if (request.method !== 'OPTIONS') {
      const bearer = bearerOf(request.headers);
      const token = bearer === undefined ? undefined : await services.tokens.authenticate(bearer);
      if (!token) {
        services.metrics.rejected.inc({ reason: 'unauthorized' });
        await reply.code(401).header('www-authenticate', 'Bearer realm="cairn"').header('tus-resumable', '1.0.0').send({ error: { code: 'unauthorized', message: 'a valid bearer token is required' } });
        return reply;
      }
      principal = principalOf(token);
      try {
        checksum = checksumOf(request.headers['upload-checksum']);
      } catch (error) {
        const e = tusError(error);
        await reply.code(e.status_code).header('tus-resumable', '1.0.0').type('application/json').send(e.body);
        return reply;
      }
    }
    reply.hijack();
    reply.raw.setHeader('Tus-Checksum-Algorithm', 'sha256');
    const run = () => tus.handle(request.raw, reply.raw);
    await (principal ? context.run({ principal, checksum }, run) : run());
    return reply;
  };
  // Each tus request is handed over before Fastify reads its body (onRequest), so PATCH bodies stream straight to the store.
  for (const url of [TUS_PATH, `${TUS_PATH}/:upload_id`]) {
    app.route({
      method: ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS', 'GET'],
      url,
      exposeHeadRoute: false,
      onRequest: serve,
      handler: async () => undefined,
    });
  }
  return tus;
}

