// The REST API's types, in one file. They mirror the server's schemas in
// `openapi/openapi.json` (names included); `openapi.test.ts` compares every interface
// tagged `@schema` with that schema whenever the file exists: same fields; a field the
// server may leave out is optional here; a field the server needs in a `@request` body is
// required here. Keep one field per line so that check can read them.

/** A user as others see them. @schema UserView */
export interface UserView {
  id: string;
  username: string;
  online: boolean;
}

export type User = UserView;

/** The signed-in account (register, me). @schema Account */
export interface Account {
  id: string;
  username: string;
}

/** Answer to a successful login; the session itself travels in the `sid` cookie. @schema LoginOk */
export interface LoginOk {
  id: string;
  username: string;
  token: string;
}

/** Body of register and login. @schema Credentials @request */
export interface Credentials {
  username: string;
  password: string;
}

/** A chat message. `date` is unix seconds with a millisecond fraction. @schema Message */
export interface Message {
  id: string;
  from: string;
  date: number;
  message: string;
  roomId: string;
}

/** @enum Kind */
export type RoomKind = 'general' | 'direct' | 'named';

/** One entry of the caller's room list. @schema RoomSummary */
export interface RoomSummary {
  id: string;
  name: string;
  kind: RoomKind;
  peer?: UserView | null;
  lastMessage?: Message | null;
  unread: number;
}

/** A named room the caller may join. @schema JoinableRoom */
export interface JoinableRoom {
  id: string;
  name: string;
  members: number;
}

/** One page of joinable rooms. @schema JoinablePage */
export interface JoinablePage {
  rooms: JoinableRoom[];
  total: number;
}

/** One page of a room's history, oldest first. `before`: cursor of the next older page. @schema MessagePage */
export interface MessagePage {
  messages: Message[];
  before?: string | null;
  after?: string | null;
  /** At the start of the kept history: older messages up to this date were removed. */
  trimmedBefore?: number;
}

/** @schema NewRoom @request */
export interface NewRoom {
  name: string;
}

/** @schema DirectWith @request */
export interface DirectWith {
  userId: string;
}

/** @schema PostMessage @request */
export interface PostMessage {
  message: string;
  clientId?: string;
}

/** @schema ReadUpTo @request */
export interface ReadUpTo {
  date: number;
}

/** Every 4xx answer. `message` often starts with the field it concerns: `username: ...`. @schema ErrorBody */
export interface ErrorBody {
  error: string;
  message: string;
}
