export * from './frame-codec.js';
export * from './transfer-schemas.js';
export * from './transfer-methods.js';
