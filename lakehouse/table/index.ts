/**
 * lakehouse/table/: Delta Lake tables of Parquet files. Code outside this folder imports the index of
 * the folder it needs (a lint rule keeps deep imports out); inside, files import each other directly.
 *
 *   index.ts (this file)  DeltaTable, the one object steps and the API open a table through
 *   operations/           one file per verb: create, append, merge, overwrite, delete, compact, vacuum
 *   files/                data files: writing them with statistics, pruning by predicate, scans, change data
 *   log/                  the Delta log: actions, snapshots, commits with optimistic concurrency, errors
 *   parquet/              Parquet encoding and decoding of column batches (parquet-wasm plus own encoders)
 *   keys/                 key indexes a merge matches rows with
 *   columns/              column batches and value conversions every folder shares
 *
 * Imports point down that list (operations/ may use everything below it; columns/ nothing).
 */
export { DeltaTable } from './delta-table.ts';
