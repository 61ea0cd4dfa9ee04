import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor, type CursorScope } from '../../api/query/cursor.ts';

const scope: CursorScope = { connection: 'g', sort: 'MINUTES_IN_GYM', descending: true, keyLength: 5 };
const tuple = { value: 75.5, key: [19427, 3, '36:1f:d9:d3:e8:0d', 1, 2] };

function badInput(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof GraphQLError && e.extensions.code === 'BAD_USER_INPUT' && message.test(e.message));
}

describe('page cursors', () => {
  it('round-trip the position: sort value and key, strings and numbers alike', () => {
    const cursor = encodeCursor(scope, tuple);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor(cursor, scope), tuple);
    const keyOrder = { ...scope, sort: 'KEY', descending: false };
    assert.deepEqual(decodeCursor(encodeCursor(keyOrder, { key: [1, 2, 'x', 3, 4] }), keyOrder), { value: null, key: [1, 2, 'x', 3, 4] });
    assert.deepEqual(decodeCursor(encodeCursor(scope, { value: null, key: [1, 2, null, 3, 4] }), scope), { value: null, key: [1, 2, null, 3, 4] });
  });

  it('refuse a cursor of another sort, direction or connection', () => {
    const cursor = encodeCursor(scope, tuple);
    badInput(() => decodeCursor(cursor, { ...scope, sort: 'GYM' }), /another sort/);
    badInput(() => decodeCursor(cursor, { ...scope, descending: false }), /another sort/);
    badInput(() => decodeCursor(cursor, { ...scope, connection: 'w' }), /another connection/);
    badInput(() => decodeCursor(cursor, { ...scope, keyLength: 3 }), /not a cursor/);
  });

  it('refuse anything that is not a cursor, without echoing internals', () => {
    for (const text of ['', 'abc', '!!!!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1,2,3]').toString('base64url'), 'x'.repeat(5000)]) {
      badInput(() => decodeCursor(text, scope), /not a cursor of this API/);
    }
    const objectInKey = Buffer.from(JSON.stringify(['g', 'MINUTES_IN_GYM', 1, 1, { $gt: 1 }, 2, 'a', 1, 1])).toString('base64url');
    badInput(() => decodeCursor(objectInKey, scope), /not a cursor/);
  });
});
