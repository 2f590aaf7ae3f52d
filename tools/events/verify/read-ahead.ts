/**
 * Yields what `source` yields, asking for the next item as soon as the current one is handed
 * out, so one fetch runs while the caller works on the previous batch. Holds at most one item
 * beyond the caller's. Stops with the signal's reason once it is aborted.
 */
export async function* readAhead<T>(
  source: AsyncIterable<T>,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = prefetch(iterator);
  try {
    for (;;) {
      const result = await pending;
      signal?.throwIfAborted();
      if (result.done) return;
      pending = prefetch(iterator);
      yield result.value;
    }
  } finally {
    // Stopped early (consumer broke off or aborted): let the fetch in flight end, then close.
    const last = await pending.catch(() => undefined);
    if (last && !last.done) await iterator.return?.();
  }
}

function prefetch<T>(iterator: AsyncIterator<T>): Promise<IteratorResult<T>> {
  const next = iterator.next();
  // Observed now: a caller that gives up on this stream (its other side failed) never awaits it.
  void next.catch(() => undefined);
  return next;
}
