/** What every pipeline step is: a plain async function over the lake, with no Temporal inside. */
import type { TableDef } from '../../schema/types.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { Lake } from './lake.ts';
import type { KafkaSource } from './bronze/kafka-source.ts';
import type { WorkerPool } from '../threads/pool.ts';

export interface StepContext {
  lake: Lake;
  /** The landing zone (`registered_users/`, `gym_logins/`, `kafka/`), when file sources are used. */
  landing?: ObjectStore;
  /**
   * Folder of the landing zone that fully ingested files are moved into, as `<folder>/<source
   * folder>/<name>`, so that later cycles neither list nor fingerprint them again; unset, files stay
   * where they landed. Must lie outside the source folders.
   */
  landingArchive?: string;
  /** The Kafka topics, when the broker is a source. */
  kafka?: KafkaSource;
  /**
   * Worker threads for the CPU-heavy parts of the big steps (parsing dumps and payloads, joining and
   * encoding files), given by whoever runs the steps (the worker, a test, a benchmark); without them the
   * same work runs on this thread, with the same tables as the result.
   */
  threads?: WorkerPool;
  /** Wall clock for load_time and commit times; tests pass a fixed one. */
  now: () => number;
  /** Called during long work so an orchestrator can heartbeat (records so far, current file or offset). */
  progress?: (update: { records: number; detail: string }) => void;
}

export interface StepResult {
  step: string;
  /** Upstream records (or source lines) this run looked at. */
  recordsIn: number;
  /** Rows inserted or updated in the step's target table(s). */
  rowsWritten: number;
  /** Records sent to quarantine. */
  quarantined: number;
  /** Records kept by the semantics but not written because they repeat what is there (duplicates). */
  duplicates: number;
  /** Target table → version after the run. */
  versions: Record<string, number>;
  /** False when there was nothing new (no commit made). */
  changed: boolean;
  detail?: string;
}

/** An outside source a bronze step ingests: a folder of the landing zone or a Kafka topic. */
export type SourceInput = { kind: 'landing'; folder: string } | { kind: 'kafka'; topic: string };

export interface Step {
  name: string;
  layer: 'bronze' | 'silver' | 'gold';
  /** Tables of the lake this step reads (a bronze step reads none). */
  reads: readonly TableDef[];
  /** What a bronze step ingests from outside the lake. */
  sources?: readonly SourceInput[];
  writes: readonly TableDef[];
  run(ctx: StepContext): Promise<StepResult>;
}
