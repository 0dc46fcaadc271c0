// The REST API's types: short names for the schemas of the server's OpenAPI document
// (openapi/openapi.json), generated into schema.gen.ts by `npm run gen:api`. Each name is
// `components['schemas'][...]`, so a change of the document reaches the client by
// regenerating (`npm run check:api` fails until then). Request bodies and query parameters
// are taken from the operations, in client.ts.
//
// The one exception is the block "Written by hand" below: the fields of issue 13 (edits,
// deletions, replies, mentions, reactions, mute), as docs/protocol.md and the issue's
// contract say the server sends them. They replace whatever the generated schemas say about
// the same fields, and contract.ts leaves exactly these fields out of its check.

import type { components } from './schema.gen';

type Schemas = components['schemas'];

/** A user as others see them. */
export type UserView = Schemas['UserView'];
export type User = UserView;

/** The signed-in account (register, me). */
export type Account = Schemas['Account'];

/** Answer to a successful login; the session itself travels in the `sid` cookie. */
export type LoginOk = Schemas['LoginOk'];

/** A chat message. `date` is unix seconds with a millisecond fraction. */
export type Message = Omit<Schemas['Message'], keyof MessageExtras> & MessageExtras;

export type RoomKind = Schemas['Kind'];

/** One entry of the caller's room list. */
export type RoomSummary = Omit<Schemas['RoomSummary'], keyof RoomSummaryExtras> & RoomSummaryExtras;

/** A named room the caller may join. */
export type JoinableRoom = Schemas['JoinableRoom'];

/** One page of joinable rooms. */
export type JoinablePage = Schemas['JoinablePage'];

/** One page of a room's history, oldest first. `before`: cursor of the next older page. */
export type MessagePage = Omit<Schemas['MessagePage'], 'messages'> & { messages: Message[] };

/** Every 4xx answer. `message` often starts with the field it concerns: `username: ...`. */
export type ErrorBody = Schemas['ErrorBody'];

// ---- Written by hand (issue 13) ----
//
// Kept here until the generated schemas say the same. The generator turns a field with a
// `default` into a required one (`mentions: string[]`), while the server leaves `mentions`
// and `reactions` out when they are empty: a client that trusted that would read
// `undefined.length`. Once schema.gen.ts agrees with the wire, `Message` and `RoomSummary`
// go back to plain `Schemas[...]` and `HandWritten` below becomes `never`.

/** The parent of a reply, as it is now. */
export interface ReplyQuote {
  id: string;
  /** The parent's sender, while the parent exists. */
  from?: string;
  /** The start of the parent's text (at most 100 characters, then `…`), while it exists. */
  message?: string;
  /** The parent was deleted. With neither this nor `from`, it is gone from the history. */
  deleted?: boolean;
}

/** One emoji's reactions on a message. */
export interface Reaction {
  emoji: string;
  /** How many users reacted with it. */
  count: number;
  /** Whether the user who fetched the message is one of them. */
  mine: boolean;
}

/** What a message carries beside its text; each is absent when unused. */
export interface MessageExtras {
  /** When its author last edited it (unix seconds). */
  edited?: number;
  /** A tombstone: `message` is empty and nothing else of it is kept. */
  deleted?: boolean;
  /** The message it answers. */
  replyTo?: ReplyQuote;
  /** Ids of the room's members it names as `@username`. */
  mentions?: string[];
  /** In the order of first use; `mine` is relative to the user who fetched it. */
  reactions?: Reaction[];
}

/** What a room summary carries since issue 13 (absent from older servers). */
export interface RoomSummaryExtras {
  lastMessage?: Message;
  /** Unread messages that mention the caller. */
  mentions?: number;
  /** The caller muted the room: no notifications, unread still counts. */
  muted?: boolean;
}

/** Body of `PATCH /api/rooms/{id}/messages/{messageId}`. */
export interface EditMessageBody {
  message: string;
}

/** What `POST /api/rooms/{id}/messages` takes beside the text and the clientId. */
export interface PostMessageExtras {
  /** The id of the message (of the same room) this one answers. */
  replyTo?: string;
}

/**
 * The names of the fields written by hand above, left out of contract.ts's comparison
 * (`lastMessage` is compared, without these fields of its own).
 */
export type HandWritten = keyof MessageExtras | Exclude<keyof RoomSummaryExtras, 'lastMessage'>;
