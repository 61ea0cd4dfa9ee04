/** The device simulator: what other modules (the CLI, tests, benchmarks) may use. */
export { createSimulation, UNKNOWN_TOPIC, type Simulation } from './generate.ts';
export { phaseAt, levelAt, sessionAt, type Phase } from './heart-rate.ts';
export { emptyTally, IMPERFECTION_KINDS, MALFORMED_KINDS, SOURCES, totalRecords, type ImperfectionKind, type SourceName, type Tally } from './imperfections.ts';
export { KafkaSink, type KafkaSinkOptions } from './kafka-sink.ts';
export { KafkaUnavailableError, type OutgoingMessage, type RecordProducer, type TopicMessages } from './kafka-producer.ts';
export { KafkajsProducer, type KafkajsProducerOptions } from './kafkajs-producer.ts';
export { LandingSink, type LandingSinkOptions } from './landing-sink.ts';
export { buildManifest, type Manifest, type SinkKind, type SourceExpectation, type StepExpectation } from './manifest.ts';
export { resolveOptions, type SimulationOptions, type SimulationSettings } from './options.ts';
export { plannedReadings, type DayPlan, type GymVisit, type Interval, type ProfileChange, type Session, type SimUser } from './plan.ts';
export { Prng } from './prng.ts';
export { CSV_HEADERS, csvLine, dumpLine, messageValue, type CsvRecord, type SimRecord, type StreamRecord } from './records.ts';
export { runSimulation, type SimulationOutcome } from './run-simulation.ts';
export { replaySbitToKafka, replaySbitToLanding, sbitSetFiles, type ReplayedFile, type SbitFile } from './sbit-replay.ts';
export type { Sink, SinkReport, WrittenFile } from './sink.ts';
