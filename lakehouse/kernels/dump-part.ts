/**
 * A part of a Kafka dump (whole lines) into kafka_multiplex_bz data files, read as bytes: the worker
 * task of bronze_kafka_files for big dumps. Plain lines in any layout (DumpLineReader) are unescaped
 * straight into the columns' UTF-8 buffers, with no JS string or object on the way; any other line is
 * decoded and parsed as text by kafkaDumpParser, the parser of small files, which keeps or refuses it. The output is
 * what parseLineRange gives with that parser: the same rows in the same order, one file per partition,
 * the same quarantine records with the same line numbers.
 */
import type { Cell } from '../../schema/types.ts';
import { kafkaMultiplexBz } from '../../schema/tables.ts';
import { weekPart } from '../calendar.ts';
import { parseKafkaDumpLine } from '../parse/kafka-dump.ts';
import { DumpLineReader } from '../parse/kafka-dump-bytes.ts';
import { isBlank } from '../parse/lines.ts';
import { isKnownTopic, KNOWN_TOPICS } from '../parse/payloads.ts';
import { Int32ColumnBuilder, Int64ColumnBuilder, repeatedInt64Column, type ArrowPart, repeatedUtf8Column, Utf8ColumnBuilder } from '../table/parquet/index.ts';
import { encodePartsAsFile, type EncodedDataFile } from '../table/files/index.ts';
import { dayOfMicros } from '../time.ts';
import { bronzeKafkaValues } from '../parse/kafka-record.ts';
import { parseLine, parseLineRange, type FileParser, type RangeInput, type RangeOutput } from './line-range.ts';

/** The parser of a dump's lines as text: stateless, so parts of a file can be parsed apart. */
export const kafkaDumpParser =
  (fileKey: string): FileParser =>
  (line) => {
    const parsed = parseKafkaDumpLine(line.line);
    if (!parsed.ok) return parsed;
    if (!isKnownTopic(parsed.record.topic)) return { ok: false, reason: `unknown topic ${JSON.stringify(parsed.record.topic)}` };
    // load_time and source_file are set by the ingestion loop; placeholders keep the row shape.
    return { ok: true, values: bronzeKafkaValues(parsed.record, 0, fileKey) };
  };

const DECLARED = kafkaMultiplexBz.columns;
const PARTITION_COLUMNS: readonly string[] = kafkaMultiplexBz.partitionBy;
const DATA_COLUMNS = DECLARED.filter((c) => !PARTITION_COLUMNS.includes(c.name));
const column = (name: string) => DECLARED.findIndex((c) => c.name === name);
const [KEY, VALUE, TOPIC, PARTITION, OFFSET, TIMESTAMP, DATE, WEEK_PART] = ['key', 'value', 'topic', 'partition', 'offset', 'timestamp', 'date', 'week_part'].map(column) as [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** The rows of one partition (topic, week_part) of the part, column by column. */
class PartitionRows {
  readonly key = new Utf8ColumnBuilder(DECLARED[KEY]!);
  readonly value = new Utf8ColumnBuilder(DECLARED[VALUE]!);
  private readonly partition = new Int32ColumnBuilder(DECLARED[PARTITION]!);
  private readonly offset = new Int64ColumnBuilder(DECLARED[OFFSET]!);
  private readonly timestamp = new Int64ColumnBuilder(DECLARED[TIMESTAMP]!);
  private readonly date = new Int32ColumnBuilder(DECLARED[DATE]!);

  constructor(readonly partitionValues: Record<string, string>) {}

  /** Adds a row parsed as text (values in declared order). */
  addValues(values: readonly Cell[]): void {
    this.key.appendCell(values[KEY]!);
    this.value.appendCell(values[VALUE]!);
    this.addRest(values[PARTITION] as number, values[OFFSET] as number, values[TIMESTAMP] as number, values[DATE] as number);
  }

  addRest(partition: number, offset: number, timestamp: number, date: number): void {
    this.partition.append(partition);
    this.offset.append(offset);
    this.timestamp.append(timestamp);
    this.date.append(date);
  }

  /** The rows as one Arrow part in the data columns' order; the load columns are the same on every row. */
  toPart(loadTime: number, sourceFile: string): ArrowPart {
    const numRows = this.partition.rows;
    const key = this.key.finish();
    const encoded = DATA_COLUMNS.map((c) => {
      switch (c.name) {
        case 'key':
          return key;
        case 'value':
          return this.value.finish();
        case 'partition':
          return this.partition.finish();
        case 'offset':
          return this.offset.finish();
        case 'timestamp':
          return this.timestamp.finish();
        case 'date':
          return this.date.finish();
        case 'load_time':
          return repeatedInt64Column(c, loadTime, numRows);
        case 'source_file':
          return repeatedUtf8Column(c, sourceFile, numRows);
      }
      throw new Error(`kafka_multiplex_bz column ${c.name} has no writer here`);
    });
    // Dictionaries only where they pay for their cost in the writer: keys (few devices, long ids) and the
    // one source file. Numbers of one value (partition, date, load_time) compress to almost nothing
    // plainly, and payloads, offsets and timestamps are nearly all distinct.
    const dictionary = DATA_COLUMNS.map((c) => (c.name === 'key' ? key.dictionary : c.name === 'source_file'));
    return { numRows, data: encoded.map((e) => e.data), summaries: encoded.map((e) => e.summary), dictionary };
  }
}

/** True when the table's columns are the ones this module writes (a table changed since would not be). */
function writesThisLayout(input: RangeInput): boolean {
  return (
    input.columns.length === DECLARED.length &&
    input.columns.every((c, i) => c.name === DECLARED[i]!.name && c.type === DECLARED[i]!.type && c.nullable === DECLARED[i]!.nullable) &&
    input.partitionColumns.join() === PARTITION_COLUMNS.join()
  );
}

const LF = 10;
const CR = 13;

/** True when bytes[start, end) holds only ASCII whitespace (what String.prototype.trim removes of ASCII). */
function isAsciiBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c !== 32 && (c < 9 || c > 13)) return false;
  }
  return true;
}

/** A part of a dump as data files; see the module comment. */
export function parseDumpPart(input: RangeInput): { output: RangeOutput; transfer: ArrayBuffer[] } {
  const textParser = kafkaDumpParser(input.fileKey);
  if (!writesThisLayout(input)) return parseLineRange(input, textParser);
  const bytes = input.bytes;
  const reader = new DumpLineReader();
  const groups = new Map<string, PartitionRows>();
  const quarantine: RangeOutput['quarantine'] = [];
  let recordsIn = 0;
  let rows = 0;
  let lineNumber = 0;
  // Rows come in runs of one partition: the group is looked up again only when topic or day changes.
  let lastTopic = -1;
  let lastDate = NaN;
  // Where the first line's key and value are written before its partition is known (never closed there).
  let lastGroup = new PartitionRows({ topic: '', week_part: '' });
  const groupOf = (topic: string, week: string) => {
    const key = `${topic}\u0000${week}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = new PartitionRows({ topic, week_part: week })));
    return group;
  };

  // A byte-order mark at the start of the file is not part of the first line.
  let from = input.atFileStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (from < bytes.length) {
    // The fast path writes key and value into the builders of the last line's partition, on the bet
    // that this line belongs to it too; when it does not, they are moved to the right one.
    if (reader.read(bytes, from, lastGroup.key, lastGroup.value)) {
      lineNumber++;
      recordsIn++;
      rows++;
      const micros = reader.timestampMicros;
      const date = dayOfMicros(micros);
      const written = lastGroup;
      if (reader.topic !== lastTopic || date !== lastDate) {
        lastGroup = groupOf(KNOWN_TOPICS[reader.topic]!, weekPart(date));
        lastTopic = reader.topic;
        lastDate = date;
      }
      const group = lastGroup;
      if (reader.keyIsNull) group.key.appendNull();
      else if (group === written) group.key.closeValueAt(reader.keyEnd);
      else group.key.appendOpenValueOf(written.key, reader.keyEnd);
      if (group === written) group.value.closeValueAt(reader.valueEnd);
      else group.value.appendOpenValueOf(written.value, reader.valueEnd);
      group.addRest(reader.partition, reader.offset, micros, date);
      from = reader.next;
      continue;
    }
    let lf = bytes.indexOf(LF, from);
    if (lf < 0) lf = bytes.length;
    const end = lf > from && bytes[lf - 1] === CR ? lf - 1 : lf;
    lineNumber++;
    if (!isAsciiBlank(bytes, from, end)) {
      // Not a plain line: as text, exactly as the small-file path reads it. A line feed never occurs
      // inside a multi-byte character, so decoding the line alone decodes it as the whole part would.
      const line = Buffer.from(bytes.buffer, bytes.byteOffset + from, end - from).toString('utf8');
      if (!isBlank(line, 0, line.length)) {
        recordsIn++;
        const outcome = parseLine(textParser, { line, lineNumber });
        if (outcome.ok === true && 'values' in outcome) {
          groupOf(outcome.values[TOPIC] as string, outcome.values[WEEK_PART] as string).addValues(outcome.values);
          rows++;
        } else if (outcome.ok === false) {
          quarantine.push({ line: lineNumber, raw: line, reason: outcome.reason });
        }
      }
    }
    from = lf + 1;
  }
  // Without Parquet statistics: silver reads bronze files whole, and add.stats hold their bounds.
  // Offsets and timestamps rise through a dump: delta-encoded, they take a fraction of the space.
  const options = { statistics: false, deltaEncoded: ['offset', 'timestamp'] };
  const files: EncodedDataFile[] = [...groups.values()].map((g) => encodePartsAsFile(input.table, DATA_COLUMNS, g.partitionValues, [g.toPart(input.loadTime, input.fileKey)], options));
  return {
    output: { files, quarantine, recordsIn, rows, lines: lineNumber },
    transfer: files.map((f) => f.bytes.buffer as ArrayBuffer),
  };
}
