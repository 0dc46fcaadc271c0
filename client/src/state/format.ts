// Dates as the screens show them. `date` values are unix seconds.

const sameDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** Clock time of a message, e.g. "18:32" or "6:32 PM" depending on the locale. */
export function messageTime(date: number): string {
  return new Date(date * 1000).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
}

/** Room list time: the clock time today, the day otherwise. */
export function listTime(date: number, now: Date = new Date()): string {
  const d = new Date(date * 1000);
  if (sameDay(d, now)) return d.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
  const sameYear = d.getFullYear() === now.getFullYear();
  return d.toLocaleDateString(undefined, sameYear ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' });
}

/** Full date and time, for a tooltip. */
export function fullTime(date: number): string {
  return new Date(date * 1000).toLocaleString();
}

/** A clientId for a new message: unique per send, reused for its retries. */
export function newClientId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
