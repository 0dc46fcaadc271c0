// The REST API's types, in one file. They mirror the server's schemas in
// `openapi/openapi.json`; `openapi.test.ts` compares every interface tagged `@schema` with
// the schema of that name (fields and which ones are required) whenever the file exists.
// Keep one interface per schema, one field per line, so that check can read them.

/** A user as others see them. @schema UserView */
export interface User {
  id: string;
  username: string;
  online: boolean;
}

/** The signed-in account (register, me). @schema Account */
export interface Account {
  id: string;
  username: string;
}

/** Answer to a successful login; the session itself travels in the `sid` cookie. @schema LoginResponse */
export interface LoginResponse {
  id: string;
  username: string;
  token: string;
}

/** Body of register and login. @schema Credentials */
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

export type RoomKind = 'general' | 'direct' | 'named';

/** One entry of the caller's room list. @schema RoomSummary */
export interface RoomSummary {
  id: string;
  name: string;
  kind: RoomKind;
  peer?: User;
  lastMessage?: Message;
  unread: number;
}

/** A named room the caller may join. @schema DiscoverRoom */
export interface DiscoverRoom {
  id: string;
  name: string;
  members: number;
}

/** One page of joinable rooms. @schema DiscoverPage */
export interface DiscoverPage {
  rooms: DiscoverRoom[];
  total: number;
}

/** One page of a room's history, oldest first. @schema MessagePage */
export interface MessagePage {
  messages: Message[];
  before: string | null;
  after: string | null;
}

/** @schema CreateRoom */
export interface CreateRoom {
  name: string;
}

/** @schema DirectRoom */
export interface DirectRoom {
  userId: string;
}

/** @schema PostMessage */
export interface PostMessage {
  message: string;
  clientId?: string;
}

/** @schema ReadMarker */
export interface ReadMarker {
  date: number;
}

/** Every 4xx answer. `message` starts with the field it concerns, e.g. `username: ...`. @schema ErrorBody */
export interface ErrorBody {
  error: string;
  message: string;
}

/** Error codes the client reacts to; others are shown as they come. */
export type ErrorCode =
  | 'invalid_username'
  | 'invalid_password'
  | 'username_taken'
  | 'invalid_credentials'
  | 'too_many_attempts'
  | 'invalid_name'
  | 'not_member'
  | 'not_found'
  | 'unauthorized';
