/**
 * White space as the server trims it (Unicode White_Space, what Rust's `str::trim` removes
 * and the message schema's pattern spells out). JavaScript's `trim()` differs: it removes
 * U+FEFF, which the server keeps as text, and keeps U+0085, which the server removes.
 */
const WHITE_SPACE = /^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$/;

/** Whether the server would refuse this text as empty (`empty_message`). */
export function isBlank(text: string): boolean {
  return WHITE_SPACE.test(text);
}

/** The server's limit on a message's length (MAX_MESSAGE_CHARS in protocol.rs), in characters. */
export const MAX_MESSAGE_CHARS = 4000;

/** Whether the server would refuse this text as too long (`message_too_long`). */
export function isTooLong(text: string): boolean {
  return [...text].length > MAX_MESSAGE_CHARS;
}
