import { defineMethods } from '../methods/define-methods.js';
import {
  SecretDeleteParams,
  SecretDeleteResult,
  SecretListParams,
  SecretListResult,
  SecretSetParams,
  SecretSetResult,
} from './secret-schemas.js';

/** The operator's secret methods (an operator token only: secrets are not workspace scoped). */
export const secretMethods = defineMethods({
  'secret/set': { params: SecretSetParams, result: SecretSetResult },
  'secret/list': { params: SecretListParams, result: SecretListResult },
  'secret/delete': { params: SecretDeleteParams, result: SecretDeleteResult },
});
