/** lakehouse/table/parquet/: what the rest of the code imports of this folder (see lakehouse/table/index.ts). */
export * from './decode-column.ts';
export * from './encode-column.ts';
export * from './int64.ts';
export * from './number-column-builder.ts';
export * from './read.ts';
export * from './schema.ts';
export * from './stats.ts';
export * from './utf8-column-builder.ts';
export * from './write.ts';
