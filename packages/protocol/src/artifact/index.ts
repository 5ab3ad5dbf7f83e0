export * from './artifact.js';
export * from './artifact-events.js';
export * from './artifact-methods.js';
export * from './artifact-store-params.js';
