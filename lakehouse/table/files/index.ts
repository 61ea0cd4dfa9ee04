/** lakehouse/table/files/: what the rest of the code imports of this folder (see lakehouse/table/index.ts). */
export * from './change-data.ts';
export * from './file-stats.ts';
export * from './predicate.ts';
export * from './scan.ts';
export * from './write-files.ts';
