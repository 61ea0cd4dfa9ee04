/** lakehouse/table/keys/: what the rest of the code imports of this folder (see lakehouse/table/index.ts). */
export * from './key-index.ts';
export * from './number-pair-index.ts';
export * from './series-key-index.ts';
