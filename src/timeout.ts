// A deadline for network calls that keeps the process alive while it waits. AbortSignal.timeout's timer
// is unref'd: a fetch to a peer that accepts and closes without answering leaves nothing else pending,
// so Node exits mid-await (exit code 13, no output) instead of reporting the timeout. This timer is
// ref'd, and cleared as soon as the work settles, so it never delays the end of a command.
export async function withTimeout<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  try {
    return await fn(outer ? AbortSignal.any([outer, ctl.signal]) : ctl.signal);
  } finally {
    clearTimeout(timer);
  }
}
