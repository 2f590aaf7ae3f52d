/**
 * Runs `task` over `items`, at most `concurrency` at a time, and returns the results in the
 * items' order. `onResult` is called as each task finishes, with the number finished so far.
 *
 * After the first failure no new item starts and the running tasks' signal is aborted; the first
 * error is thrown once they have settled, so nothing is left running behind the caller's back.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, signal: AbortSignal) => Promise<R>,
  onResult?: (result: R, done: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const abort = new AbortController();
  let failure: { error: unknown } | undefined;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index], abort.signal);
        onResult?.(results[index], ++done);
      } catch (error) {
        failure ??= { error };
        abort.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
