import type {
  Attachment,
  AttachmentRefParams,
  ListTurnAttachmentsParams,
  MarkAttachmentFailedParams,
  MarkAttachmentReadyParams,
  PageResult,
  RegisterAttachmentParams,
  RegisterAttachmentResult,
} from '@cairn/protocol';
import type { StoreContext } from '../store/store-context.js';
import { getAttachment, listTurnAttachments, markAttachmentFailed, markAttachmentReady, registerAttachment } from './attachments.js';

/** What the attachment registry needs: the store context, and the journal's redactor for failure reasons. */
export interface AttachmentDeps {
  context: StoreContext;
  redact: (value: unknown) => unknown;
}

/**
 * `store.attachments`: the registry of files a turn's input references. Not journaled: an
 * attachment is declared before the turn that uses it starts, so there is no stream to
 * append to yet; what the turn used is journaled by `turn.started`'s input.
 */
export class AttachmentStore {
  readonly #deps: AttachmentDeps;

  constructor(deps: AttachmentDeps) {
    this.#deps = deps;
  }

  /** Declares one (`pending`); the same declaration again answers it (`created: false`). */
  register(params: RegisterAttachmentParams): Promise<RegisterAttachmentResult> {
    return registerAttachment(this.#deps, params);
  }

  markReady(params: MarkAttachmentReadyParams): Promise<Attachment> {
    return markAttachmentReady(this.#deps, params);
  }

  markFailed(params: MarkAttachmentFailedParams): Promise<Attachment> {
    return markAttachmentFailed(this.#deps, params);
  }

  get(params: AttachmentRefParams): Promise<Attachment> {
    return getAttachment(this.#deps, params);
  }

  /** A turn's attachments in registration order, keyset-paginated; the turn need not have started. */
  listForTurn(params: ListTurnAttachmentsParams): Promise<PageResult<Attachment>> {
    return listTurnAttachments(this.#deps, params);
  }
}
