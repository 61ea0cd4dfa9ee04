/** lakehouse/table/log/: what the rest of the code imports of this folder (see lakehouse/table/index.ts). */
export * from './actions.ts';
export * from './checkpoint.ts';
export * from './delta-schema.ts';
export * from './errors.ts';
export * from './log-cleanup.ts';
export * from './log-paths.ts';
export * from './snapshot.ts';
export * from './table-properties.ts';
export * from './tombstone-view.ts';
export * from './transaction.ts';
export * from './versioned-map.ts';
