// The user made read-only in a room by its moderators (`member.muted` about them, or a
// `muted` refusal of something they sent): the room's composer says so and waits.

/** Read-only in a room until `until` (unix seconds); `known`: the server named that time. */
export interface ReadOnly {
  until: number;
  known: boolean;
}

/** How long the composer waits when a `muted` refusal names no end: then sending is tried again. */
export const MUTED_GUESS_MS = 60_000;

/** Whether it is still in force at `nowMs`. */
export function inForce(r: ReadOnly | undefined, nowMs: number): r is ReadOnly {
  return r !== undefined && r.until * 1000 > nowMs;
}

/**
 * The mute a `muted` refusal tells of. The server's message ends with the time it lasts
 * until ("…read-only in this room until 1767229200"); without one, a short guess.
 */
export function fromRefusal(message: string, nowMs: number): ReadOnly {
  const m = /until\s+(\d+(?:\.\d+)?)\s*$/.exec(message.trim());
  const until = m ? Number(m[1]) : NaN;
  if (Number.isFinite(until) && until * 1000 > nowMs) return { until, known: true };
  return { until: (nowMs + MUTED_GUESS_MS) / 1000, known: false };
}

/** What the composer of the room says. */
export function readOnlyNotice(r: ReadOnly): string {
  return r.known
    ? `A moderator made you read-only here until ${new Date(r.until * 1000).toLocaleString()}.`
    : 'A moderator made you read-only here for a while.';
}

/** Why a message, edit or reaction was not taken (on its bubble). */
export function mutedReason(r: ReadOnly): string {
  return r.known
    ? `a moderator made you read-only here until ${new Date(r.until * 1000).toLocaleString()}.`
    : 'a moderator made you read-only here.';
}
