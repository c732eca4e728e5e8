/**
 * Runs `task` over `items` with at most `limit` running at once. On the first failure no new item starts, the
 * `signal` handed to the tasks is aborted so running ones can stop early, and, once every started task has
 * settled, the first error is thrown. Never leaves a task running behind the returned promise.
 */
export async function runWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, signal: AbortSignal) => Promise<void>,
  parentSignal?: AbortSignal,
): Promise<void> {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parentSignal?.reason);
  parentSignal?.addEventListener('abort', onParentAbort, { once: true });
  let next = 0;
  let firstError: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !controller.signal.aborted) {
      const item = items[next++] as T;
      try {
        await task(item, controller.signal);
      } catch (error) {
        firstError ??= { error };
        controller.abort(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  } finally {
    parentSignal?.removeEventListener('abort', onParentAbort);
  }
  if (firstError) throw firstError.error;
  if (parentSignal?.aborted) throw parentSignal.reason;
}
