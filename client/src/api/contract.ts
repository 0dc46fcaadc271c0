// A compile-time check, nothing at run time: every method of `api` (client.ts) resolves to
// exactly the success body the spec gives its operation (`void` for 204 No Content). Which
// URL answers with which schema is written by hand in client.ts; this ties it to the
// generated `paths`, so `npm run typecheck` fails when, after `npm run gen:api`, an endpoint
// answers with something else (or is gone).

import type { Api, Paged } from './client';
import type { paths } from './schema.gen';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON of a response object, `void` when it has no body. */
type JsonOf<R> = R extends { content: infer C } ? C[keyof C] : void;

/** What the operation at `P`/`M` answers on success (200, 201 or 204). */
type Success<P extends keyof paths, M extends Method> =
  NonNullable<paths[P][M]> extends { responses: infer R } ? JsonOf<R[keyof R & (200 | 201 | 204)]> : never;

/** Each method of `api` and the operation it calls. */
interface Routes {
  register: ['/api/auth/register', 'post'];
  login: ['/api/auth/login', 'post'];
  logout: ['/api/auth/logout', 'post'];
  me: ['/api/auth/me', 'get'];
  changePassword: ['/api/auth/password', 'post'];
  logoutAll: ['/api/auth/logout-all', 'post'];
  deleteAccount: ['/api/auth/me', 'delete'];
  rooms: ['/api/rooms', 'get'];
  discover: ['/api/rooms/discover', 'get'];
  createRoom: ['/api/rooms', 'post'];
  direct: ['/api/rooms/direct', 'post'];
  join: ['/api/rooms/{id}/join', 'post'];
  leave: ['/api/rooms/{id}/leave', 'post'];
  messages: ['/api/rooms/{id}/messages', 'get'];
  postMessage: ['/api/rooms/{id}/messages', 'post'];
  markRead: ['/api/rooms/{id}/read', 'post'];
  online: ['/api/users/online', 'get'];
  users: ['/api/users', 'get'];
  editMessage: ['/api/rooms/{id}/messages/{message_id}', 'patch'];
  deleteMessage: ['/api/rooms/{id}/messages/{message_id}', 'delete'];
  addReaction: ['/api/rooms/{id}/messages/{message_id}/reactions/{emoji}', 'put'];
  removeReaction: ['/api/rooms/{id}/messages/{message_id}/reactions/{emoji}', 'delete'];
  mute: ['/api/rooms/{id}/mute', 'put'];
  unmute: ['/api/rooms/{id}/mute', 'delete'];
  members: ['/api/rooms/{id}/members', 'get'];
  setRole: ['/api/rooms/{id}/members/{user_id}/role', 'put'];
  kick: ['/api/rooms/{id}/members/{user_id}', 'delete'];
  ban: ['/api/rooms/{id}/bans/{user_id}', 'put'];
  unban: ['/api/rooms/{id}/bans/{user_id}', 'delete'];
  muteMember: ['/api/rooms/{id}/mutes/{user_id}', 'put'];
  unmuteMember: ['/api/rooms/{id}/mutes/{user_id}', 'delete'];
  bans: ['/api/rooms/{id}/bans', 'get'];
  audit: ['/api/rooms/{id}/audit', 'get'];
  updateRoom: ['/api/rooms/{id}', 'patch'];
  invite: ['/api/rooms/{id}/invites', 'post'];
  roomInvites: ['/api/rooms/{id}/invites', 'get'];
  revokeInvite: ['/api/rooms/{id}/invites/{invite_id}', 'delete'];
  myInvites: ['/api/invites', 'get'];
  acceptInvite: ['/api/invites/{invite_id}/accept', 'post'];
  declineInvite: ['/api/invites/{invite_id}/decline', 'post'];
  createInviteLink: ['/api/rooms/{id}/invite-links', 'post'];
  inviteLinks: ['/api/rooms/{id}/invite-links', 'get'];
  revokeInviteLink: ['/api/rooms/{id}/invite-links/{link_id}', 'delete'];
  acceptInviteLink: ['/api/invite-links/{token}/accept', 'post'];
  reportMessage: ['/api/rooms/{id}/messages/{message_id}/reports', 'post'];
  reports: ['/api/rooms/{id}/reports', 'get'];
  closeReport: ['/api/rooms/{id}/reports/{report_id}', 'patch'];
  lookupUser: ['/api/users/lookup', 'get'];
  upload: ['/api/rooms/{id}/uploads', 'post'];
}

/** A paged method (`Paged<T>`, client.ts) answers with the page's body `T`; the cursor comes from `Link`. */
type Unpaged<T> = T extends Paged<infer Body> ? Body : T;
type Answer<F> = F extends (...args: never[]) => Promise<infer T> ? Unpaged<T> : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Agrees<F, P extends keyof paths, M extends Method> = Same<Answer<F>, Success<P, M>>;

/** The methods whose answer differs from the spec's; `never` when all agree. */
type Mismatched = {
  [K in keyof Api]: K extends keyof Routes
    ? Routes[K] extends [infer P extends keyof paths, infer M extends Method]
      ? Agrees<Api[K], P, M> extends true
        ? never
        : K
      : K
    : K;
}[keyof Api];

type Holds<T extends never> = T;

/** Fails to compile, naming the methods, when a method does not answer what the spec says. */
export type ApiMatchesSpec = Holds<Mismatched>;
