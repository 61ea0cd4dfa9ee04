import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'graphql';
import { boundedDocumentCaches, entryBytes } from '../../api/cache/document-cache.ts';

describe('document cache', () => {
  it('keeps a document only when its text comes a second time', () => {
    const caches = boundedDocumentCaches({ maxBytes: 10 * 1024 * 1024 });
    assert.ok(caches);
    const text = '{ me { userId } }';
    caches.documentCache.set(text, parse(text));
    assert.equal(caches.documentCache.get(text), undefined, 'seen once: not kept');
    const document = parse(text);
    caches.documentCache.set(text, document);
    assert.equal(caches.documentCache.get(text), document);
    // One-off texts (a flood made distinct by comments) never take room.
    for (let i = 0; i < 1000; i++) caches.documentCache.set(`# ${i}\n${text}`, parse(text));
    assert.equal(caches.documentCache.store.size, 1);
  });

  it('is bounded by the estimated bytes of its texts, least recently used out first', () => {
    const text = (i: number) => `# ${i} ${'x'.repeat(1000)}\n{ __typename }`;
    const bound = 3 * entryBytes(text(0)) + 10;
    const caches = boundedDocumentCaches({ maxBytes: bound });
    assert.ok(caches);
    for (let i = 0; i < 5; i++) for (let twice = 0; twice < 2; twice++) caches.documentCache.set(text(i), parse('{ __typename }'));
    assert.equal(caches.documentCache.store.size, 3);
    assert.ok(caches.documentCache.store.calculatedSize <= bound);
    assert.equal(caches.documentCache.get(text(0)), undefined);
    assert.ok(caches.documentCache.get(text(4)));
  });

  it('turns off at 0 bytes', () => {
    assert.equal(boundedDocumentCaches({ maxBytes: 0 }), false);
  });
});
