/**
 * A ColumnBatch in the form it crosses to a worker thread in: columns of numbers as Float64Arrays and
 * columns of booleans as bytes, whose buffers are copied whole, where a JS array is written to the
 * message value by value (a column of 300k booleans took ~30 ms to send that way). Other columns
 * (strings, nulls) go as they are.
 */
import type { Cell } from '../../../schema/types.ts';
import { numberColumn, type ColumnBatch } from './column-batch.ts';

type WireColumn = { kind: 'numbers'; values: Float64Array } | { kind: 'booleans'; values: Uint8Array } | { kind: 'cells'; values: readonly Cell[] };

export interface WireBatch {
  numRows: number;
  columns: [string, WireColumn][];
}

function toWireColumn(values: readonly Cell[]): WireColumn {
  if (values instanceof Float64Array) return { kind: 'numbers', values };
  const kind = typeof values[0];
  if (kind === 'number') {
    const numbers = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number') return { kind: 'cells', values };
      numbers[i] = v;
    }
    return { kind: 'numbers', values: numbers };
  }
  if (kind === 'boolean') {
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'boolean') return { kind: 'cells', values };
      bytes[i] = v ? 1 : 0;
    }
    return { kind: 'booleans', values: bytes };
  }
  return { kind: 'cells', values };
}

/** The batch in wire form, and the buffers made for it (which can be handed over rather than copied). */
export function toWire(batch: ColumnBatch): { wire: WireBatch; made: ArrayBuffer[] } {
  const made: ArrayBuffer[] = [];
  const columns = [...batch.columns].map(([name, values]): [string, WireColumn] => {
    const column = toWireColumn(values);
    if (column.kind !== 'cells' && column.values !== (values as unknown)) made.push(column.values.buffer as ArrayBuffer);
    return [name, column];
  });
  return { wire: { numRows: batch.numRows, columns }, made };
}

export function fromWire(wire: WireBatch): ColumnBatch {
  const columns = new Map<string, readonly Cell[]>();
  for (const [name, column] of wire.columns) {
    if (column.kind === 'numbers') {
      columns.set(name, numberColumn(column.values));
    } else if (column.kind === 'booleans') {
      const values = new Array<Cell>(column.values.length);
      for (let i = 0; i < values.length; i++) values[i] = column.values[i] === 1;
      columns.set(name, values);
    } else {
      columns.set(name, column.values);
    }
  }
  return { numRows: wire.numRows, columns };
}
