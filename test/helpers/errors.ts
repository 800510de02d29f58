// Engine errors carry a kind, not an exit code (only the CLI maps kinds to codes): tests that assert the
// documented code of an error thrown in-process go through the CLI's own mapping.
import { exitCodeOf } from '../../src/cli/errors.js';

export { exitCodeOf };

/** The error's fields with the exit code the CLI would give it. */
export const withExit = (e: unknown) => ({ ...(e as object), message: (e as Error)?.message, hint: (e as { hint?: string })?.hint, where: (e as { where?: string })?.where, exitCode: exitCodeOf(e) });

/** What a promise rejects with, as withExit; fails the test when it resolves. */
export async function failure(p: Promise<unknown>): Promise<ReturnType<typeof withExit>> {
  try {
    await p;
  } catch (e) {
    return withExit(e);
  }
  throw new Error('expected a failure, but it resolved');
}

/** What a function throws, as withExit. */
export function failureOf(fn: () => unknown): ReturnType<typeof withExit> {
  try {
    fn();
  } catch (e) {
    return withExit(e);
  }
  throw new Error('expected a throw, but it returned');
}
