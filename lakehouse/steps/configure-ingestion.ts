/** The process's ingestion settings (config/ingestion-settings.ts) applied to the landing reader and the plausibility rules. */
import { plausibility } from '../rules/plausible.ts';
import { landingTuning } from './bronze/file-extent.ts';

export function configureIngestion(settings: { earliestEventMicros: number; futureEventsMs: number; maxLineBytes: number; holdFinalLineMs: number }): void {
  Object.assign(landingTuning, { maxLineBytes: settings.maxLineBytes, holdFinalLineMs: settings.holdFinalLineMs });
  Object.assign(plausibility, { earliestMicros: settings.earliestEventMicros, futureMs: settings.futureEventsMs });
}
