/**
 * Work started ahead and taken back in order: the results of start(item) for each item, in item order,
 * with up to `ahead` of them started before the one being taken. Steps use it for files parsed or
 * joined on worker threads while this thread uses the results one at a time, so the output is the same
 * as doing the items one after the other.
 */
export async function* inOrder<T, R>(items: readonly T[], ahead: number, start: (item: T) => Promise<R>): AsyncGenerator<R> {
  const started: Promise<R>[] = [];
  let next = 0;
  const startNext = () => {
    const result = start(items[next++]!);
    // Awaited in order below; a failure of a later item must not go unhandled meanwhile.
    result.catch(() => undefined);
    started.push(result);
  };
  while (next < items.length && started.length < ahead) startNext();
  while (started.length > 0) {
    const result = await started.shift()!;
    if (next < items.length) startNext();
    yield result;
  }
}
