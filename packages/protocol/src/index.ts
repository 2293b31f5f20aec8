export * from './errors.js';
export * from './jsonrpc.js';
export * from './schema.js';
export type * from './schemaTypes.js';
