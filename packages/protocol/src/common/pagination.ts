import { Type, type Static, type TSchema } from 'typebox';
import { LIMITS } from './limits.js';

/**
 * An opaque keyset cursor (base64url). Clients pass back what they received and never build
 * one; the server may change the encoding between versions.
 */
export const Cursor = Type.String({ minLength: 1, maxLength: LIMITS.cursorLength, pattern: '^[A-Za-z0-9_-]+$' });
export type Cursor = Static<typeof Cursor>;

export const PageLimit = Type.Integer({ minimum: 1, maximum: LIMITS.pageMax, default: LIMITS.pageDefault });

/** The paging fields every list method accepts, spread into its params object. */
export const PAGE_PARAMS = {
  limit: Type.Optional(PageLimit),
  cursor: Type.Optional(Cursor),
};

export const PageParams = Type.Object(PAGE_PARAMS, { additionalProperties: false });
export type PageParams = Static<typeof PageParams>;

/** `{ items, next_cursor }`: `next_cursor` is null on the last page. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    next_cursor: Type.Union([Cursor, Type.Null()]),
  });

export interface PageResult<T> {
  items: T[];
  next_cursor: string | null;
}
