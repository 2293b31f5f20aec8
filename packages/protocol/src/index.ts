export * from './errors.js';
export * from './jsonrpc.js';
export * from './schema.js';
