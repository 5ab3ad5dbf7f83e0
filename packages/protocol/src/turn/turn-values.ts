import { Type, type Static } from 'typebox';
import { AttachmentId } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';

/** `recovering` while at least one recovery is open; the last three are terminal. */
export const TurnStatus = Type.Union([
  Type.Literal('running'),
  Type.Literal('recovering'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type TurnStatus = Static<typeof TurnStatus>;
export const TERMINAL_TURN_STATUSES: readonly TurnStatus[] = ['completed', 'failed', 'cancelled'];

/** What an item is. Everything but `agent_message` and `reasoning` is a tool payload. */
export const TurnItemType = Type.Union([
  Type.Literal('agent_message'),
  Type.Literal('reasoning'),
  Type.Literal('tool_call'),
  Type.Literal('mcp_tool_call'),
  Type.Literal('command'),
  Type.Literal('file_change'),
  Type.Literal('web_search'),
]);
export type TurnItemType = Static<typeof TurnItemType>;
export const TOOL_ITEM_TYPES: readonly TurnItemType[] = ['tool_call', 'mcp_tool_call', 'command', 'file_change', 'web_search'];

export const TurnItemStatus = Type.Union([
  Type.Literal('in_progress'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type TurnItemStatus = Static<typeof TurnItemStatus>;

/** How an item ended. */
export const ItemTerminalStatus = Type.Union([Type.Literal('completed'), Type.Literal('failed'), Type.Literal('cancelled')]);
export type ItemTerminalStatus = Static<typeof ItemTerminalStatus>;

export const AttemptStatus = Type.Union([
  Type.Literal('running'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
  Type.Literal('timed_out'),
]);
export type AttemptStatus = Static<typeof AttemptStatus>;

export const Attempt = Type.Integer({ minimum: 1, maximum: LIMITS.turn.attemptMax });

/** A machine-readable reason plus a human message (never a secret, never a stack). */
export const TurnError = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: LIMITS.turn.errorCodeLength }),
    message: Type.String({ maxLength: LIMITS.turn.messageLength }),
  },
  { additionalProperties: false },
);
export type TurnError = Static<typeof TurnError>;

export const Reason = Type.String({ minLength: 1, maxLength: LIMITS.turn.reasonLength });

/** A model name as the runtime reports it. */
export const ModelName = Type.String({ minLength: 1, maxLength: LIMITS.turn.modelLength });

/** A free-form JSON object (tool name and arguments, command and exit code, ...). Size-checked by crud. */
export const ItemPayload = Type.Record(Type.String(), Type.Unknown());
export type ItemPayload = Static<typeof ItemPayload>;

export const TextInputPart = Type.Object(
  { type: Type.Literal('text'), text: Type.String({ minLength: 1, maxLength: LIMITS.turn.inputTextLength }) },
  { additionalProperties: false },
);
export const AttachmentInputPart = Type.Object(
  {
    type: Type.Literal('attachment'),
    /** The turn record of the upload (`Attachment.attachment_id`); its bytes live in artifacts. */
    attachment_id: AttachmentId,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.turn.attachmentNameLength })),
    mime_type: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.turn.attachmentMediaTypeLength })),
  },
  { additionalProperties: false },
);
/** One part of what the user sent: text, or a reference to an attachment (never inline bytes). */
export const TurnInputPart = Type.Union([TextInputPart, AttachmentInputPart]);
export type TurnInputPart = Static<typeof TurnInputPart>;
export const TurnInput = Type.Array(TurnInputPart, { minItems: 1, maxItems: LIMITS.turn.inputParts });

/**
 * Marks an event written by startup repair rather than by a runtime. Repair events are the
 * only ones a terminal turn still accepts, and only to close what was left open.
 */
export const RepairMarker = Type.Object(
  { kind: Type.String({ minLength: 1, maxLength: LIMITS.turn.repairKindLength }) },
  { additionalProperties: false },
);
export type RepairMarker = Static<typeof RepairMarker>;
