/** A lookup that must not hold up an answer with a deadline: its value, or `fallback` if it fails or is late. */
export function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms).unref()));
  // Cleared when the lookup settles: a timer left to fire is work on every command.
  return Promise.race([promise.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}
