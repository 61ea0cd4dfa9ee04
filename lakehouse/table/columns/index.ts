/** lakehouse/table/columns/: what the rest of the code imports of this folder (see lakehouse/table/index.ts). */
export * from './column-batch.ts';
export * from './typed-arrays.ts';
export * from './values.ts';
export * from './batch-wire.ts';
export * from './row.ts';
