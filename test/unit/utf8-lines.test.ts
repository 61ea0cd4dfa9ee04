/** Finding lines that are not UTF-8 before bytes become text (lakehouse/parse/utf8-lines.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { takeInvalidUtf8Lines, validUtf8Lines, type InvalidUtf8Line } from '../../lakehouse/parse/utf8-lines.ts';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

test('valid bytes come back as they are; an invalid line is emptied, its line break kept, and reported with its bytes', () => {
  const ok = bytes('a\n😀 b\r\n');
  assert.equal(takeInvalidUtf8Lines(ok).bytes, ok);
  const mixed = bytes('a\n', [0x62, 0xc3, 0x28], '\nc\n', [0xed, 0xa0, 0x80], '\n');
  const { bytes: clean, invalid } = takeInvalidUtf8Lines(mixed);
  assert.equal(Buffer.from(clean).toString(), 'a\n\nc\n\n');
  assert.deepEqual(invalid, [
    { line: 2, base64: Buffer.from([0x62, 0xc3, 0x28]).toString('base64') },
    { line: 4, base64: Buffer.from([0xed, 0xa0, 0x80]).toString('base64') },
  ]);
});

test('a character split between two reads is not taken for invalid; line numbers run across reads', async () => {
  const text = bytes('first 😀 line\n', 'second\n', [0xff], '\n', 'last ✓');
  // Cut inside the emoji (its second byte) and inside the check mark.
  const cuts = [8, 20, text.length - 2];
  async function* chunks() {
    let from = 0;
    for (const cut of [...cuts, text.length]) {
      yield text.subarray(from, cut);
      from = cut;
    }
  }
  const invalid: InvalidUtf8Line[] = [];
  const out: Buffer[] = [];
  for await (const chunk of validUtf8Lines(chunks(), 11, 1 << 20, (l) => invalid.push(l))) out.push(Buffer.from(chunk));
  assert.equal(Buffer.concat(out).toString(), 'first 😀 line\nsecond\n\nlast ✓');
  assert.deepEqual(invalid, [{ line: 13, base64: Buffer.from([0xff]).toString('base64') }]);
});
