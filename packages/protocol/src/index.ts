export { ERROR_CODES, isErrorCode, rpcCodeFor, type ErrorCode } from './errors/error-codes.js';
export { CairnError, hasErrorCode, isCairnError, type CairnErrorOptions } from './errors/cairn-error.js';
