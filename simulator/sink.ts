/** Where simulated records go: a landing-zone folder or Kafka topics, behind one small interface. */
import type { SinkKind } from './manifest.ts';
import type { SimRecord } from './records.ts';

/** One file written to the landing zone. */
export interface WrittenFile {
  /** Key in the landing zone, e.g. `kafka/bpm-sim-s42-0001.json`. */
  key: string;
  /** Records (lines, the CSV header not counted). */
  records: number;
}

/** What a sink delivered: files written and messages sent per topic. */
export interface SinkReport {
  files: WrittenFile[];
  messages: Record<string, number>;
}

/** A destination for records, fed batch by batch in delivery order. */
export interface Sink {
  readonly kind: SinkKind;
  /** Take a batch; resolves when the sink can take the next (back-pressure). */
  write(batch: readonly SimRecord[]): Promise<void>;
  /** Deliver whatever is buffered and finish (files appear, producers flush); once. */
  close(): Promise<SinkReport>;
  /** Give up: drop unfinished files, disconnect. Never throws. */
  abort(): Promise<void>;
}
