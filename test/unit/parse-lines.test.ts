import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { readLineBatches, readLines, splitLines, type TextLine } from '../../lakehouse/parse/lines.ts';

const encode = (text: string) => new TextEncoder().encode(text);

/** Every record a stream of the given chunks yields, through readLines. */
async function collect(chunks: (Uint8Array | string)[]): Promise<TextLine[]> {
  const out: TextLine[] = [];
  for await (const line of readLines(Readable.from(chunks, { objectMode: true }))) out.push(line);
  return out;
}

describe('splitLines', () => {
  it('numbers lines from 1 and drops the line breaks, \\n and \\r\\n alike', () => {
    assert.deepEqual(splitLines('a\nb\r\nc\n'), [
      { line: 'a', lineNumber: 1 },
      { line: 'b', lineNumber: 2 },
      { line: 'c', lineNumber: 3 },
    ]);
  });

  it('keeps a last line without a line break', () => {
    assert.deepEqual(splitLines('a\nlast'), [
      { line: 'a', lineNumber: 1 },
      { line: 'last', lineNumber: 2 },
    ]);
  });

  it('skips blank and whitespace-only lines but still counts them', () => {
    assert.deepEqual(splitLines('\nx\n  \t\n\r\ny\n\n\n'), [
      { line: 'x', lineNumber: 2 },
      { line: 'y', lineNumber: 5 },
    ]);
  });

  it('returns nothing for empty or blank text', () => {
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines('\n\r\n   \n'), []);
  });

  it('keeps inner whitespace and a lone \\r inside a line', () => {
    assert.deepEqual(splitLines('  a b \r\n c\rd'), [
      { line: '  a b ', lineNumber: 1 },
      { line: ' c\rd', lineNumber: 2 },
    ]);
  });

  it('drops a leading byte-order mark of a file, not of a later chunk', () => {
    assert.deepEqual(splitLines('\ufeffa,b\n'), [{ line: 'a,b', lineNumber: 1 }]);
    assert.deepEqual(splitLines('x\n', 7), [{ line: 'x', lineNumber: 7 }]);
  });
});

describe('readLines / readLineBatches', () => {
  it('joins lines split across chunks and numbers them like splitLines', async () => {
    const text = 'first\r\nsec';
    const lines = await collect([text, 'ond\r', '\n\n  \nthird']);
    assert.deepEqual(lines, [
      { line: 'first', lineNumber: 1 },
      { line: 'second', lineNumber: 2 },
      { line: 'third', lineNumber: 5 },
    ]);
  });

  it('decodes multi-byte UTF-8 characters split across byte chunks', async () => {
    const bytes = encode('Zoë 💓\nÅngström\n');
    // Every split point, including inside the 2- and 4-byte characters.
    for (let cut = 1; cut < bytes.length; cut++) {
      const lines = await collect([bytes.slice(0, cut), bytes.slice(cut)]);
      assert.deepEqual(lines, [
        { line: 'Zoë 💓', lineNumber: 1 },
        { line: 'Ångström', lineNumber: 2 },
      ], `cut at byte ${cut}`);
    }
  });

  it('handles one byte per chunk, a BOM and no final newline', async () => {
    const bytes = encode('\ufeffa\n\nb');
    const lines = await collect(Array.from(bytes, (b) => Uint8Array.of(b)));
    assert.deepEqual(lines, [
      { line: 'a', lineNumber: 1 },
      { line: 'b', lineNumber: 3 },
    ]);
  });

  it('yields nothing for an empty or blank stream', async () => {
    assert.deepEqual(await collect([]), []);
    assert.deepEqual(await collect([encode('\n \n'), encode('\r\n')]), []);
  });

  it('batches per chunk without empty batches', async () => {
    const batches: TextLine[][] = [];
    for await (const batch of readLineBatches(Readable.from(['a\nb\n', '\n\n', 'c'], { objectMode: true }))) batches.push(batch);
    assert.deepEqual(batches.map((b) => b.map((l) => `${l.lineNumber}:${l.line}`)), [['1:a', '2:b'], ['5:c']]);
  });
});
