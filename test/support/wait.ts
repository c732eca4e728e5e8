/**
 * Polling for a condition a test cannot await directly (an upload acknowledged, a child's file appearing).
 */

/** How long {@link waitFor} polls before failing, by default. */
const DEFAULT_TIMEOUT_MS = 20_000;
const INTERVAL_MS = 20;

/**
 * Resolves once `condition()` holds, checking every 20 ms.
 *
 * @throws Error when it does not hold within `timeoutMs`.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
}
