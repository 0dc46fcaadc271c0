// The REST API's types: short names for the schemas of the server's OpenAPI document
// (openapi/openapi.json), generated into schema.gen.ts by `npm run gen:api`. Each name is
// `components['schemas'][...]`, so a change of the document reaches the client by
// regenerating (`npm run check:api` fails until then). Request bodies and query parameters
// are taken from the operations, in client.ts.

import type { components } from './schema.gen';

type Schemas = components['schemas'];

/** A user as others see them. */
export type UserView = Schemas['UserView'];
export type User = UserView;

/** The signed-in account (register, me). */
export type Account = Schemas['Account'];

/** Answer to a successful login; the session itself travels in the `sid` cookie. */
export type LoginOk = Schemas['LoginOk'];

/**
 * A chat message. `date` is unix seconds with a millisecond fraction. What it carries beside
 * its text (`edited`, `deleted`, `replyTo`, `mentions`, `reactions`, `attachments`) is absent
 * when unused.
 */
export type Message = Schemas['Message'];

/**
 * A file sent with a message. An image (`contentType` image/jpeg, image/png, image/gif or
 * image/webp, with `width` and `height`) has a thumbnail at `/api/uploads/{id}/thumbnail`;
 * every file is at `/api/uploads/{id}`.
 */
export type Attachment = Schemas['Attachment'];

/** What `POST /api/rooms/{id}/uploads` answers: the stored file, to be sent in a message's `attachments`. */
export type Upload = Schemas['Attachment'];

/** The parent of a reply, as it is now. */
export type ReplyQuote = Schemas['ReplyQuote'];

/** One emoji's reactions on a message; `mine` is relative to the user who fetched it. */
export type Reaction = Schemas['Reaction'];

export type RoomKind = Schemas['Kind'];

/** One entry of the caller's room list. */
export type RoomSummary = Schemas['RoomSummary'];

/** A named room the caller may join. */
export type JoinableRoom = Schemas['JoinableRoom'];

/** One page of joinable rooms. */
export type JoinablePage = Schemas['JoinablePage'];

/** One page of a room's history, oldest first. `before`: cursor of the next older page. */
export type MessagePage = Schemas['MessagePage'];

/** Every 4xx answer. `message` often starts with the field it concerns: `username: ...`. */
export type ErrorBody = Schemas['ErrorBody'];

/** A role in a room, highest first: `owner`, `admin`, `moderator`, `member`. */
export type Role = Schemas['Role'];

/** A member of a room and their role. */
export type Member = Schemas['Member'];

/** A ban in force: who, by whom (a user id), why, since and until when (absent: until lifted). */
export type Ban = Schemas['BanView'];

/** One thing a room's moderators did: `role`, `kick`, `ban` or `unban` (ids for `actor`, `target`). */
export type AuditEntry = Schemas['AuditEntryView'];

/** Who may find and join a named room: `public` (listed, anyone joins) or `private` (by invitation only). */
export type Visibility = Schemas['Visibility'];

/** A pending invitation to a room: who is invited, by whom, when. */
export type Invite = Schemas['InviteView'];

/** An invite link; `token` and `url` only in the answer that made it. */
export type InviteLink = Schemas['InviteLinkView'];

/** A room one has entered (by accepting an invitation or an invite link). */
export type EnteredRoom = Schemas['EnteredRoom'];

/** A reported message, as the room's moderators see it. */
export type Report = Schemas['ReportView'];

/** Where a report stands: `open`, `resolved` or `dismissed`. */
export type ReportStatus = Schemas['ReportStatus'];

/** How a moderator closes a report. */
export type Verdict = Schemas['Verdict'];
