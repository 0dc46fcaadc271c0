/** Below this width the room list and the conversation share the screen one at a time. */
export const NARROW_QUERY = '(max-width: 700px)';
