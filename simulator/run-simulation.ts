/** Driving a simulation into a sink: batch by batch, with progress, ending in the manifest. */
import type { Simulation } from './generate.ts';
import type { Tally } from './imperfections.ts';
import { buildManifest, type Manifest } from './manifest.ts';
import type { Sink, SinkReport } from './sink.ts';

/** The manifest of a finished run and what the sink delivered. */
export interface SimulationOutcome {
  manifest: Manifest;
  report: SinkReport;
}

/**
 * Feed every record of `simulation` to `sink`, calling `onProgress` after each batch, and close the
 * sink; on failure the sink is aborted (no half files left behind) and the error rethrown.
 */
export async function runSimulation(simulation: Simulation, sink: Sink, onProgress?: (tally: Tally) => void): Promise<SimulationOutcome> {
  try {
    for await (const batch of simulation.batches()) {
      await sink.write(batch);
      onProgress?.(simulation.tally);
    }
    const report = await sink.close();
    return { manifest: buildManifest(simulation.settings, simulation.tally, sink.kind), report };
  } catch (e) {
    await sink.abort();
    throw e;
  }
}
