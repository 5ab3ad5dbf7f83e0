import { defineMethods } from '../methods/define-methods.js';
import {
  SecretDeleteParams,
  SecretDeleteResult,
  SecretListParams,
  SecretListResult,
  SecretSetParams,
  SecretSetResult,
} from './secret-schemas.js';

/** The operator's secret methods. Not yet in `METHODS`: the gateway adds the group when it serves them. */
export const secretMethods = defineMethods({
  'secret/set': { params: SecretSetParams, result: SecretSetResult },
  'secret/list': { params: SecretListParams, result: SecretListResult },
  'secret/delete': { params: SecretDeleteParams, result: SecretDeleteResult },
});
