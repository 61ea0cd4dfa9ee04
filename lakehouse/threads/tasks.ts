/**
 * What worker threads run for the pool (pool.ts): pure functions from plain data to plain data, each
 * returning its output and the buffers in it to hand over rather than copy. Loaded only in workers.
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { parseDumpPart } from '../kernels/dump-part.ts';
import { parseBpmFile } from '../kernels/bpm-file.ts';
import { joinReadingsFile } from '../kernels/readings-join.ts';
import type { ColumnDef } from '../../schema/types.ts';
import { encodeDataFiles as encodeFiles } from '../table/files/index.ts';
import { fromWire, type WireBatch } from '../table/columns/index.ts';

/** Rows encoded as data files of a table (encodeDataFiles), e.g. the rows a merge inserts. */
function encodeDataFiles(input: { table: string; columns: ColumnDef[]; partitionColumns: string[]; batch: WireBatch }) {
  const output = encodeFiles(input.table, input.columns, input.partitionColumns, fromWire(input.batch));
  return { output, transfer: output.map((f) => f.bytes.buffer as ArrayBuffer) };
}

const TASKS = { parseDumpPart, parseBpmFile, encodeDataFiles, joinReadingsFile };

export type TaskName = keyof typeof TASKS;
export type TaskInput<N extends TaskName> = Parameters<(typeof TASKS)[N]>[0];
export type TaskOutput<N extends TaskName> = Awaited<ReturnType<(typeof TASKS)[N]>>['output'];

interface Request {
  id: number;
  name: TaskName;
  input: never;
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', async ({ id, name, input }: Request) => {
    try {
      const { output, transfer } = await TASKS[name](input);
      port.postMessage({ id, output }, transfer);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      port.postMessage({ id, error: { name: error.name, message: error.message, stack: error.stack } });
    }
  });
}
