/** The message `f` throws, or 'no error': for comparing our errors with a library's. */
export function thrownMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}
