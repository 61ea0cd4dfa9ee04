/** lakehouse/table/operations/: what the rest of the code imports of this folder (see lakehouse/table/index.ts). */
export * from './append.ts';
export * from './compact.ts';
export * from './create.ts';
export * from './delete.ts';
export * from './merge.ts';
export * from './overwrite.ts';
export * from './vacuum.ts';
