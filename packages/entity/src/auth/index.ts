import { AuthTokenEntity } from './auth-token-entity.js';

export { AuthTokenEntity } from './auth-token-entity.js';

export const AUTH_ENTITIES = [AuthTokenEntity] as const;
