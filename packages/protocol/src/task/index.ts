export * from './task-specs.js';
export * from './task-records.js';
export * from './task-methods.js';
export * from './task-notifications.js';
