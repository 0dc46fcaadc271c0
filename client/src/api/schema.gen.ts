// GENERATED FILE, do not edit: the server's REST schemas as TypeScript types, made by
// openapi-typescript 7.13.0 from openapi/openapi.json (the server's OpenAPI document).
// Regenerate after the document changes: `npm run gen:api` in client/ (`make openapi`
// rewrites the document from the server). `npm run check:api` fails when this file is not
// what the document generates. Use the schemas through src/api/types.ts.

export interface paths {
    "/api/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create an account
         * @description Usernames are 1–32 letters, digits, `.`, `_` or `-`, unique ignoring case (`joe` is
         *     taken when `Joe` exists; sign-in is case-sensitive); passwords are 8–128 characters.
         *     The new user is a member of General. One address may sign up a limited number of
         *     times an hour (429), and sign-ups never take more than half of the password-hashing
         *     queue: signing in goes on during a flood of sign-ups.
         */
        post: operations["register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in
         * @description Returns the session token and sets the `sid` cookie. Too many attempts for one
         *     username from one address (or too many from one address) are refused with 429 for a
         *     while; an address that keeps failing on a username under attack waits longer and
         *     longer, while the user's own address is not held back.
         */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign out
         * @description Ends this session everywhere and clears the cookie.
         */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign out everywhere
         * @description Ends every session of this account, this one included, on every instance (their
         *     sockets close), and clears the cookie.
         */
        post: operations["logoutAll"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change my password
         * @description Needs the current password (wrong ones are throttled as logins are). Every other
         *     session of the account ends; this one goes on.
         */
        post: operations["changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who am I
         * @description The signed-in user, or 401.
         */
        get: operations["me"];
        put?: never;
        post?: never;
        /**
         * Delete my account
         * @description Needs the password. Every session ends, the user leaves every room, and the name
         *     stays taken for a while (`DELETED_NAME_HOLD_DAYS`); messages stay, shown under
         *     "Deleted user".
         */
        delete: operations["deleteAccount"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/bans/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Ban an account from the site
         * @description Site admins only. Every session of the account ends at once, on every instance, and
         *     signing in is refused until the ban is lifted. Its messages and memberships stay.
         */
        put: operations["siteBan"];
        post?: never;
        /** Lift a site ban */
        delete: operations["liftSiteBan"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/bans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Site bans */
        get: operations["listSiteBans"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * My rooms
         * @description The caller's rooms with display name, last message and unread count, most recently
         *     active first.
         */
        get: operations["listRooms"];
        put?: never;
        /**
         * Create a named room
         * @description The creator joins it. Names are 1–64 characters (trimmed) and unique, ignoring case.
         */
        post: operations["createRoom"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/discover": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Rooms to join
         * @description Named rooms the caller is not in, optionally filtered by a part of their name, paged.
         */
        get: operations["discoverRooms"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/direct": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Open a direct room
         * @description Creates (or returns) the private room of the caller and another user. Idempotent.
         */
        post: operations["openDirectRoom"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/join": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Join a named room */
        post: operations["joinRoom"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change a room's settings
         * @description Admins and owners make a named room `private` (gone from discovery; joined only by
         *     invitation; 404 to everyone outside it) or `public` again. The room's members get
         *     `room.updated`.
         */
        patch: operations["updateRoom"];
        trace?: never;
    };
    "/api/rooms/{id}/mute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Mute a room
         * @description No notifications for this room on any of the caller's devices; unread messages and
         *     mentions are still counted. The caller's sockets get `room.muted`.
         */
        put: operations["muteRoom"];
        post?: never;
        /** Unmute a room */
        delete: operations["unmuteRoom"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/leave": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Leave a named room
         * @description General and direct rooms cannot be left.
         */
        post: operations["leaveRoom"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A room's members
         * @description Members with their roles, paged: at most `limit` (default 100) per page, and a
         *     `Link` header to the next page while there is one. General lists every account.
         */
        get: operations["listMembers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/members/{user_id}/role": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Give a member a role
         * @description One gives roles below one's own rank, to members below it; an owner also makes
         *     other members owners (handing over ownership); anyone may step down, but a room
         *     keeps at least one owner. The room's members get `member.role`.
         */
        put: operations["setMemberRole"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/members/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a member
         * @description Moderators and up remove a member of lower rank from a named room: the room's
         *     members get `member.kicked`, and the removed member's sockets leave the room
         *     (`room.left` with `reason: "kicked"`) on every instance. They may join again (a ban
         *     keeps them out).
         */
        delete: operations["kickMember"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/bans/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Ban a user
         * @description Moderators and up ban a user of lower rank from a named room, whether they are in it
         *     or not: a member is removed as by a kick (with `member.banned`), and nobody banned
         *     joins until the ban ends or is lifted. Banning again replaces the ban.
         */
        put: operations["banUser"];
        post?: never;
        /** Lift a ban */
        delete: operations["unbanUser"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/mutes/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Make a member read-only
         * @description Moderators and up mute a member of lower rank for a while (in a named room or
         *     General): they read, but post, edit and react nothing (`muted`) until it ends or is
         *     lifted. The room's members get `member.muted`.
         */
        put: operations["muteMember"];
        post?: never;
        /** Lift a mute */
        delete: operations["unmuteMember"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/bans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A room's bans
         * @description Bans in force, for moderators and up, paged like the members.
         */
        get: operations["listBans"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A room's audit log
         * @description What its moderators did, newest first, for admins and up: at most `limit` (default
         *     50) entries older than `before`. The newest 1000 or so are kept.
         */
        get: operations["roomAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/invites": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A room's pending invitations
         * @description For moderators and up, paged.
         */
        get: operations["listRoomInvites"];
        put?: never;
        /**
         * Invite a user to a room
         * @description Any member invites to a public room; moderators and up to a private one. The user
         *     sees the invitation live (`invite.received`) and in `GET /api/invites`, and accepts
         *     or declines it. Inviting again answers the pending invitation.
         */
        post: operations["inviteUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/invites/{invite_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an invitation
         * @description Its inviter, or the room's moderators and up. The invited user's sockets get
         *     `invite.removed`.
         */
        delete: operations["revokeInvite"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/invites": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * My invitations
         * @description The caller's pending invitations, oldest first.
         */
        get: operations["myInvites"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/invites/{invite_id}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Accept an invitation
         * @description The caller joins the room (private or not; `room.joined` follows), unless banned
         *     from it since.
         */
        post: operations["acceptInvite"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/invites/{invite_id}/decline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Decline an invitation */
        post: operations["declineInvite"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/invite-links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A room's invite links
         * @description For moderators and up: the links that hold, without their tokens.
         */
        get: operations["listInviteLinks"];
        put?: never;
        /**
         * Make an invite link
         * @description Whoever may invite to the room makes a link that lets anyone signed in join it
         *     (private or not) until it ends or is used up. The token is in this answer only.
         */
        post: operations["createInviteLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/invite-links/{link_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an invite link
         * @description Its maker, or the room's moderators and up.
         */
        delete: operations["revokeInviteLink"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/invite-links/{token}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Join with an invite link
         * @description The caller joins the link's room (private or not; `room.joined` follows), unless
         *     banned from it. Joining counts one use; a member of the room uses nothing.
         */
        post: operations["acceptInviteLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A room's reports
         * @description For moderators and up: open reports (or closed ones), newest first, at most `limit`
         *     (default 50), dated before `before` (unix seconds) when given.
         */
        get: operations["listReports"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/reports/{report_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Close a report
         * @description Moderators and up mark a report `resolved` (they acted, e.g. deleted the message)
         *     or `dismissed`. The room's staff get `report.updated` with who closed it; the
         *     reporter gets it without.
         */
        patch: operations["closeReport"];
        trace?: never;
    };
    "/api/rooms/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Room history
         * @description A page of messages, oldest first. Without cursors: the newest `limit` messages.
         *     `before=` pages back through history with the `before` cursor of the previous page;
         *     `after=` returns what came after (a message's `date` works as a cursor), for catching
         *     up after a reconnect. Cursors stay right while new messages arrive.
         */
        get: operations["listMessages"];
        put?: never;
        /**
         * Post a message
         * @description The server sets `id`, `from` and `date`, stores the message and delivers it to the
         *     room's members on every instance.
         */
        post: operations["postMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/messages/{message_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a message
         * @description Deletes one of the caller's own messages, or, for the room's moderators and up, a
         *     message of someone they outrank: a tombstone (`deleted: true`, empty text; `moderated: true` when a moderator
         *     removed it) keeps its place in the history, nothing else of it is kept. Every
         *     member's sockets get `message.deleted`. Deleting a tombstone again answers it and
         *     changes nothing.
         */
        delete: operations["deleteMessage"];
        options?: never;
        head?: never;
        /**
         * Edit a message
         * @description Replaces the text of one of the caller's own messages; it then carries `edited`.
         *     Every member's sockets get `message.edited`. Mentions are read from the new text
         *     (shown, not notified again).
         */
        patch: operations["editMessage"];
        trace?: never;
    };
    "/api/rooms/{id}/messages/{message_id}/reactions/{emoji}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * React to a message
         * @description Adds the caller's reaction `emoji` (URL-encoded) to a message of a room they are in;
         *     the answer carries the message's reactions as the caller sees them. Every member's
         *     sockets get `reaction.changed`. Reacting again with the same emoji changes nothing.
         */
        put: operations["addReaction"];
        post?: never;
        /**
         * Take back a reaction
         * @description Removes the caller's reaction `emoji` from a message; every member's sockets get
         *     `reaction.changed`. Without such a reaction nothing changes.
         */
        delete: operations["removeReaction"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/messages/{message_id}/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Report a message
         * @description Any member reports someone else's message to the room's moderators, who see it
         *     live (`report.created`) and in `GET /api/rooms/{id}/reports`. Reporting a message
         *     again while the first report is open answers that one. Counts against the message
         *     rate.
         */
        post: operations["reportMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mark a room read
         * @description Moves the caller's read marker forward to `date` (never back); the caller's other
         *     tabs and instances get `room.read`.
         */
        post: operations["markRead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/online": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Users online now
         * @description Users with at least one open connection on any instance, a page at a time: `limit`
         *     users (default 200), and a `Link` header to the next page while there is one. A user
         *     online throughout the paging is on some page (possibly twice); live changes arrive
         *     as `user.connected` and `user.disconnected` on the WebSocket.
         */
        get: operations["onlineUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Look up users
         * @description `ids` is a comma-separated list of user ids (at most 100); unknown ids are left out.
         */
        get: operations["users"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Find a user by name
         * @description The account with this username, ignoring case (to invite or ban someone by name).
         */
        get: operations["findUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/rooms/{id}/uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a file
         * @description For members of the room. The body is `multipart/form-data` with the file in the
         *     field `file`. Its type is found from its content: JPEG, PNG, GIF and WebP are images
         *     (re-encoded without metadata, with a thumbnail; `width` and `height` given);
         *     anything else is served as a download. Attach it by sending its `id` in a message's
         *     `attachments`.
         */
        post: operations["uploadFile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/uploads/{upload_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a file
         * @description For members of the upload's room (404 for anyone else).
         */
        get: operations["downloadUpload"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/uploads/{upload_id}/thumbnail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An image's thumbnail
         * @description At most 320 × 320 pixels, JPEG (PNG for an image with transparency). For members of
         *     the upload's room; 404 for anyone else and for a file that is not an image.
         */
        get: operations["uploadThumbnail"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * Account
         * @description A user account.
         */
        Account: {
            /** @description The user's id. */
            id: string;
            /** @description The user's name. */
            username: string;
        };
        /**
         * AccountDeletion
         * @description The account's password, to confirm its deletion.
         */
        AccountDeletion: {
            /** @description The account's password. */
            password: string;
        };
        /**
         * Attachment
         * @description A file sent with a message, as uploaded (`POST /api/rooms/{id}/uploads`). An image
         *     (JPEG, PNG, GIF or WebP by its content, re-encoded without metadata) has `width` and
         *     `height` and a thumbnail at `/api/uploads/{id}/thumbnail`; anything else is served as a
         *     download at `/api/uploads/{id}`.
         */
        Attachment: {
            /** @description The upload's id. */
            id: string;
            /** @description The file's name as sent (no directories, at most 200 characters). */
            name: string;
            /**
             * Format: uint64
             * @description Its size in bytes, as stored.
             */
            size: number;
            /**
             * @description Its type, found from its content: `image/jpeg`, `image/png`, `image/gif` for images,
             *     else what the content is (`application/pdf`, …) or `application/octet-stream`.
             */
            contentType: string;
            /**
             * Format: uint32
             * @description An image's width in pixels, as stored (oriented).
             */
            width?: number;
            /**
             * Format: uint32
             * @description An image's height in pixels, as stored (oriented).
             */
            height?: number;
        };
        /**
         * AuditEntryView
         * @description One thing a moderator did.
         */
        AuditEntryView: {
            /** @description The entry's id: `before` of the next (older) page. */
            id: string;
            /** @description `role`, `kick`, `ban` or `unban`. */
            action: string;
            /** @description Who did it. */
            actor: string;
            /** @description To whom. */
            target: string;
            /** @description The new role, or the ban's reason. */
            detail: string;
            /**
             * Format: double
             * @description When, in unix seconds.
             */
            date: number;
        };
        /**
         * BanView
         * @description A ban in force.
         */
        BanView: {
            /** @description The banned user (`username` is "Deleted user" for an account since deleted). */
            user: components["schemas"]["UserView"] & unknown;
            /** @description The moderator who banned them. */
            by: string;
            reason: string;
            /**
             * Format: double
             * @description When, in unix seconds.
             */
            date: number;
            /**
             * Format: double
             * @description When it ends, in unix seconds (absent: until lifted).
             */
            expiresAt?: number;
        };
        /**
         * CloseReport
         * @description How to close a report.
         */
        CloseReport: {
            /** @description `resolved` or `dismissed`. */
            status: components["schemas"]["Verdict"] & unknown;
        };
        /**
         * Credentials
         * @description Username and password, as typed at sign-in.
         */
        Credentials: {
            /** @description The account's username. */
            username: string;
            /** @description The account's password. */
            password: string;
        };
        /**
         * DirectWith
         * @description Whom to open a direct room with.
         */
        DirectWith: {
            /** @description The other user's id. */
            userId: string;
        };
        /**
         * EditMessage
         * @description A message's new text.
         */
        EditMessage: {
            /** @description The new text. */
            message: string;
        };
        /**
         * EnteredRoom
         * @description A room one has entered.
         */
        EnteredRoom: {
            /** @description The room's id. */
            id: string;
            /** @description Its name. */
            name: string;
        };
        /**
         * ErrorBody
         * @description What every 4xx and 5xx response carries.
         */
        ErrorBody: {
            /** @description A stable machine-readable code, e.g. `invalid_username` or `not_found`. */
            error: string;
            /** @description A sentence for people, naming the field or thing concerned. */
            message: string;
        };
        /**
         * InviteLinkView
         * @description An invite link.
         */
        InviteLinkView: {
            id: string;
            /**
             * @description The secret that joins: only in the answer that made the link (only its hash is
             *     kept).
             */
            token?: string;
            /** @description Where the browser client accepts it (`/?invite=<token>`): only with `token`. */
            url?: string;
            roomId: string;
            /** @description Who made it. */
            by: string;
            /**
             * Format: double
             * @description When, in unix seconds.
             */
            date: number;
            /**
             * Format: double
             * @description When it ends, in unix seconds.
             */
            expiresAt: number;
            /**
             * Format: uint64
             * @description How many may join with it (absent: any number).
             */
            maxUses?: number;
            /**
             * Format: uint64
             * @description How many did.
             */
            uses: number;
        };
        /**
         * InviteView
         * @description A pending invitation.
         */
        InviteView: {
            id: string;
            roomId: string;
            roomName: string;
            /** @description The invited user. */
            user: components["schemas"]["UserView"] & unknown;
            /** @description Who invited them. */
            invitedBy: components["schemas"]["UserView"] & unknown;
            /**
             * Format: double
             * @description When, in unix seconds.
             */
            date: number;
        };
        /**
         * JoinablePage
         * @description A page of joinable rooms.
         */
        JoinablePage: {
            /** @description This page, ordered by creation. */
            rooms: components["schemas"]["JoinableRoom"][];
            /**
             * Format: uint64
             * @description How many rooms match the filter in all.
             */
            total: number;
        };
        /**
         * JoinableRoom
         * @description A named room one can join.
         */
        JoinableRoom: {
            /** @description The room's id. */
            id: string;
            /** @description The room's name. */
            name: string;
            /**
             * Format: uint64
             * @description How many members it has.
             */
            members: number;
        };
        /**
         * @description What kind of room it is.
         * @enum {string}
         */
        Kind: "general" | "direct" | "named";
        /**
         * LoginOk
         * @description A signed-in user and their session token.
         */
        LoginOk: {
            /** @description The user's id. */
            id: string;
            /** @description The user's name. */
            username: string;
            /** @description The session token: send it as `Authorization: Bearer <token>` (browsers use the cookie). */
            token: string;
        };
        /**
         * Member
         * @description A member of a room and their role.
         */
        Member: {
            user: components["schemas"]["UserView"];
            role: components["schemas"]["Role"];
            /**
             * Format: double
             * @description Until when (unix seconds) a moderator made them read-only (absent: they are not).
             */
            mutedUntil?: number;
        };
        /**
         * Message
         * @description A chat message as stored in `room:{id}` and sent to clients.
         *
         *     Stored, it keeps the seed's fields and their meaning (`message` is the text to show) and
         *     adds ours, each absent when unused: `edited`, `deleted`, `replyTo` (the parent's `id`
         *     only), `mentions`. `reactions` and the parent's quote are never stored: they are added
         *     when the message is read.
         */
        Message: {
            /** @description Unique id of the message (messages written by the seed get a stable derived id). */
            id: string;
            /** @description Id of the sender. */
            from: string;
            /**
             * Format: double
             * @description When the server accepted it: unix seconds with a millisecond fraction.
             */
            date: number;
            /** @description The text as typed (render it as text, never as HTML); empty once deleted. */
            message: string;
            /** @description The room it belongs to. */
            roomId: string;
            /**
             * Format: double
             * @description When its author last edited it (unix seconds); absent if never.
             */
            edited?: number;
            /**
             * @description `true` on a deleted message's tombstone: its text and everything else about it are
             *     gone, it only keeps its place in the history.
             */
            deleted?: boolean;
            /** @description `true` on a tombstone when a moderator of the room, not the author, removed it. */
            moderated?: boolean;
            /** @description The message this one answers. */
            replyTo?: components["schemas"]["ReplyQuote"] & unknown;
            /**
             * @description Ids of the room's members it names as `@username` (absent when none).
             * @default []
             */
            mentions?: string[];
            /**
             * @description Its reactions, in the order they were first used (absent when none).
             * @default []
             */
            reactions?: components["schemas"]["Reaction"][];
            /**
             * @description Files sent with it (absent when none; gone from a tombstone).
             * @default []
             */
            attachments?: components["schemas"]["Attachment"][];
        };
        /**
         * MessagePage
         * @description A page of history.
         */
        MessagePage: {
            /** @description The messages, oldest first. */
            messages: components["schemas"]["Message"][];
            /** @description Pass as `before=` for the next older page; absent at the start of the room. */
            before?: string;
            /** @description Pass as `after=` to continue with newer messages; absent on an empty room. */
            after?: string;
            /**
             * Format: double
             * @description On the page that reaches the beginning of the kept history: the date up to which
             *     older messages were removed by the room's retention limit. Absent when none were.
             */
            trimmedBefore?: number;
        };
        /**
         * NewAccount
         * @description A new account's username and password.
         */
        NewAccount: {
            /** @description 1–32 letters, digits, `.`, `_` or `-`; unique ignoring case. */
            username: string;
            /** @description 8–128 characters. */
            password: string;
        };
        /**
         * NewBan
         * @description A ban to give.
         */
        NewBan: {
            /** @description Why (shown to moderators, and to the banned user when they try to join). */
            reason: string;
            /**
             * Format: uint64
             * @description How long it lasts, in seconds (absent: until lifted).
             */
            expiresInSecs?: number | null;
        };
        /**
         * NewInvite
         * @description Whom to invite.
         */
        NewInvite: {
            /** @description The user's id. */
            userId: string;
        };
        /**
         * NewInviteLink
         * @description An invite link to make.
         */
        NewInviteLink: {
            /**
             * Format: uint64
             * @description How long it lasts, in seconds (default 7 days, at most 30).
             */
            expiresInSecs?: number | null;
            /**
             * Format: uint64
             * @description How many people may join with it (absent: any number until it ends).
             */
            maxUses?: number | null;
        };
        /**
         * NewMute
         * @description How long a member stays read-only.
         */
        NewMute: {
            /**
             * Format: uint64
             * @description Seconds (at most 30 days).
             */
            expiresInSecs: number;
        };
        /**
         * NewReport
         * @description A report of a message.
         */
        NewReport: {
            /** @description Why it should be looked at. */
            reason: string;
        };
        /**
         * NewRoom
         * @description A new named room.
         */
        NewRoom: {
            /** @description The room's name. */
            name: string;
            /** @description `public` (the default) or `private`. */
            visibility?: (components["schemas"]["Visibility"] & unknown) | null;
        };
        /**
         * NewSiteBan
         * @description Why an account is banned.
         */
        NewSiteBan: {
            /**
             * @description Shown to other site admins: up to 500 characters (stored trimmed), no control
             *     characters but line breaks.
             */
            reason: string;
        };
        /**
         * PasswordChange
         * @description A new password, with the current one to confirm it is the account's owner.
         */
        PasswordChange: {
            /** @description The account's password now. */
            current: string;
            /** @description The new password: 8–128 characters. */
            new: string;
        };
        /** @description A message to post: `message`, `attachments`, or both. */
        PostMessage: components["schemas"]["PostMessageFields"] | Record<string, never> | Record<string, never>;
        /**
         * PostMessageFields
         * @description The fields of a message to post ([`PostMessage`] adds that it has text, files, or
         *     both).
         */
        PostMessageFields: {
            /** @description The text (may be left out when the message carries attachments). */
            message?: string;
            /**
             * @description An id of the client's choosing: a retry with the same `clientId` returns the first
             *     message instead of posting a second.
             */
            clientId?: string | null;
            /**
             * @description The `id` of the message of this room it answers; it then carries that message's
             *     quote.
             */
            replyTo?: string | null;
            /**
             * @description Files to send with it: ids of the caller's uploads in this room
             *     (`POST /api/rooms/{id}/uploads`) not sent yet, 1 to 10.
             */
            attachments?: string[];
        };
        /**
         * Reaction
         * @description One emoji's reactions on a message.
         */
        Reaction: {
            /** @description The emoji. */
            emoji: string;
            /**
             * Format: uint32
             * @description How many users reacted with it.
             */
            count: number;
            /** @description Whether the user reading the message is one of them. */
            mine: boolean;
            /**
             * @description A few of them (at most 3 user ids): the earliest who reacted with it and still do.
             *     Absent when none is known (reactions stored before names were kept).
             * @default []
             */
            users?: string[];
        };
        /**
         * ReadUpTo
         * @description Where the caller has read up to.
         */
        ReadUpTo: {
            /**
             * Format: double
             * @description The `date` of the newest message read (a later date reads up to the newest).
             */
            date: number;
        };
        /**
         * ReplyQuote
         * @description The parent of a reply, as it is now.
         */
        ReplyQuote: {
            /** @description The parent's id. */
            id: string;
            /** @description The parent's sender, while it exists. */
            from?: string;
            /** @description The start of the parent's text (at most 100 characters, then `…`), while it exists. */
            message?: string;
            /**
             * @description `true` when the parent was deleted. With neither this nor `from`, the parent is gone
             *     from the kept history.
             */
            deleted?: boolean;
        };
        /**
         * @description Which reports to list.
         * @enum {string}
         */
        ReportQueue: "open" | "closed";
        /**
         * @description Where a report stands.
         * @enum {string}
         */
        ReportStatus: "open" | "resolved" | "dismissed";
        /**
         * ReportView
         * @description A reported message, as moderators see it.
         */
        ReportView: {
            id: string;
            roomId: string;
            messageId: string;
            /** @description Who reported it. */
            reporter: components["schemas"]["UserView"] & unknown;
            /** @description Who wrote the message. */
            author: components["schemas"]["UserView"] & unknown;
            /** @description The message's text when it was reported. */
            excerpt: string;
            reason: string;
            /**
             * Format: double
             * @description When, in unix seconds.
             */
            date: number;
            status: components["schemas"]["ReportStatus"];
            /** @description The moderator who closed it. */
            handledBy?: components["schemas"]["UserView"] & unknown;
            /**
             * Format: double
             * @description When it was closed, in unix seconds.
             */
            handledAt?: number;
        };
        /**
         * @description A member's role in a room.
         * @enum {string}
         */
        Role: "member" | "moderator" | "admin" | "owner";
        /**
         * RoleChange
         * @description A role to give.
         */
        RoleChange: {
            /**
             * @description `member`, `moderator`, `admin` or `owner`. One gives roles below one's own; an owner
             *     also makes owners; anyone may step down (except a room's last owner).
             */
            role: components["schemas"]["Role"] & unknown;
        };
        /**
         * RoomChange
         * @description A change of a named room's settings.
         */
        RoomChange: {
            /** @description `public` or `private` (admins and owners). */
            visibility?: (components["schemas"]["Visibility"] & unknown) | null;
        };
        /**
         * RoomSummary
         * @description A room as its member sees it in the room list.
         */
        RoomSummary: {
            /** @description The room's id: `0`, `{a}:{b}` (direct) or digits (named). */
            id: string;
            /** @description What to show: `General`, the other user's name, or the room's name. */
            name: string;
            /** @description What kind of room it is. */
            kind: components["schemas"]["Kind"] & unknown;
            /** @description The other user of a direct room (absent for other rooms). */
            peer?: components["schemas"]["UserView"] & unknown;
            /** @description The newest message (absent in an empty room). */
            lastMessage?: components["schemas"]["Message"] & unknown;
            /**
             * Format: uint64
             * @description Messages after the caller's read marker.
             */
            unread: number;
            /**
             * Format: uint64
             * @description Of those, the ones that mention the caller (`@username`).
             */
            mentions: number;
            /** @description Whether the caller muted the room (no notifications; `unread` still counts). */
            muted: boolean;
            /**
             * @description The caller's role in the room (`member` in direct rooms; `owner` everywhere for a
             *     site admin).
             */
            role: components["schemas"]["Role"] & unknown;
            /** @description A named room's visibility (absent for General and direct rooms). */
            visibility?: components["schemas"]["Visibility"] & unknown;
            /**
             * Format: double
             * @description Until when (unix seconds) a moderator made the caller read-only here (absent: they
             *     are not): their posts, edits and reactions are refused with `muted` until then.
             */
            readOnlyUntil?: number;
        };
        /**
         * SiteBanView
         * @description A site ban.
         */
        SiteBanView: {
            /** @description The banned account. */
            user: components["schemas"]["UserView"] & unknown;
            /** @description The site admin who banned it. */
            by: string;
            reason: string;
            /**
             * Format: double
             * @description When, in unix seconds.
             */
            date: number;
        };
        /**
         * UserView
         * @description A user as others see them.
         */
        UserView: {
            /** @description The user's id. */
            id: string;
            /** @description The user's name. */
            username: string;
            /** @description Whether the user has at least one open connection on any instance. */
            online: boolean;
        };
        /**
         * @description How a report is closed.
         * @enum {string}
         */
        Verdict: "resolved" | "dismissed";
        /**
         * @description Who may find and join a named room.
         * @enum {string}
         */
        Visibility: "public" | "private";
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["NewAccount"];
            };
        };
        responses: {
            /** @description The account was created; log in to get a session. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["Account"];
                };
            };
            /** @description A field is invalid; `message` names it. Nothing was written. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The username is taken. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description This address has signed up as often as it may this hour; retry after `Retry-After`
             *     seconds.
             */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many passwords are being hashed right now; retry in a moment. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["Credentials"];
            };
        };
        responses: {
            /** @description Signed in: the body carries the token, `Set-Cookie` the session cookie. */
            200: {
                headers: {
                    "SET-COOKIE": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["LoginOk"];
                };
            };
            /** @description A field is missing or malformed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unknown user or wrong password (the answer does not say which). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A site admin banned this account (`banned`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many failed logins for this username or from this address; retry later. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many passwords are being checked right now; retry in a moment. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session is ended on every instance and the cookie cleared. */
            204: {
                headers: {
                    "SET-COOKIE": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    logoutAll: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session is ended on every instance and the cookie cleared. */
            204: {
                headers: {
                    "SET-COOKIE": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["PasswordChange"];
            };
        };
        responses: {
            /**
             * @description The password is changed, and every other session of the account has ended (their
             *     sockets closed); this one goes on.
             */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A field is missing or invalid (the new password's length); nothing changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `current` is not the account's password; nothing changed. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Too many wrong passwords for this account from this address; retry after
             *     `Retry-After` seconds.
             */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many passwords are being checked right now; retry in a moment. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The signed-in user. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["Account"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteAccount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["AccountDeletion"];
            };
        };
        responses: {
            /**
             * @description The account is deleted: every session ended, the cookie cleared, the user out of
             *     every room; their messages stay, under "Deleted user".
             */
            204: {
                headers: {
                    "SET-COOKIE": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The password is missing or malformed; nothing changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not the account's password; nothing changed. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Too many wrong passwords for this account from this address; retry after
             *     `Retry-After` seconds.
             */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many passwords are being checked right now; retry in a moment. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    siteBan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["NewSiteBan"];
            };
        };
        responses: {
            /**
             * @description Done: on a ban, every session of the account has ended (its sockets closed on every
             *     instance) and signing in is refused (403 `banned`) until it is lifted.
             */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a site admin (`not_admin`), or the account is one (`outranked`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such account, or (lifting) no such ban. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    liftSiteBan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description Done: on a ban, every session of the account has ended (its sockets closed on every
             *     instance) and signing in is refused (403 `banned`) until it is lifted.
             */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a site admin (`not_admin`), or the account is one (`outranked`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such account, or (lifting) no such ban. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listSiteBans: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every site ban, oldest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["SiteBanView"][];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a site admin (`not_admin`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listRooms: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["RoomSummary"][];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createRoom: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["NewRoom"];
            };
        };
        responses: {
            /** @description The room was created; the caller is in it. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["RoomSummary"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A room with this name exists, ignoring case (`room_name_taken`), or the caller is in
             *     as many rooms as they may be (`too_many_rooms`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller creates rooms faster than their rate; retry after `Retry-After` seconds. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    discoverRooms: {
        parameters: {
            query?: {
                /** @description Part of the name to look for (case-insensitive). */
                q?: string;
                /** @description How many matching rooms to skip. */
                offset?: number;
                /** @description Page size (default 20). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["JoinablePage"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    openDirectRoom: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["DirectWith"];
            };
        };
        responses: {
            /** @description The direct room (created if it did not exist). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["RoomSummary"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such user. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The other user is the caller. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The caller opens direct rooms faster than their rate; retry after `Retry-After`
             *     seconds.
             */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    joinRoom: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The room; the caller is in it (joining a room one is in changes nothing). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["RoomSummary"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is banned from this room (`banned`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such named room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is in as many rooms as they may be (`too_many_rooms`): leave one first. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller joins rooms faster than their rate; retry after `Retry-After` seconds. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    updateRoom: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["RoomChange"];
            };
        };
        responses: {
            /** @description The room as it is now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["RoomSummary"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not an admin or owner of the room (`not_allowed`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room (or one the caller is not in and may not see). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description General and direct rooms have no settings (`not_named`). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    muteRoom: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The room is muted (or unmuted) for the caller. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a member of this named room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room (or not one of the caller's direct rooms). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    unmuteRoom: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The room is muted (or unmuted) for the caller. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a member of this named room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room (or not one of the caller's direct rooms). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    leaveRoom: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller is no longer a member. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, or the caller is not in it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description General and direct rooms cannot be left (`not_leavable`); the room's last owner
             *     stays until they make another member owner (`last_owner`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listMembers: {
        parameters: {
            query?: {
                /** @description Members per page (default 100). */
                limit?: number;
                /** @description The `cursor` of the previous page's `Link` header. */
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description Members with their roles (order unspecified). `Link: </api/rooms/{id}/members?
             *     limit=…&cursor=…>; rel="next"` names the next page; the last page has no `Link`.
             */
            200: {
                headers: {
                    LINK?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["Member"][];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not in this room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    setMemberRole: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["RoleChange"];
            };
        };
        responses: {
            /** @description Done (or nothing to change). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The caller may not: they are not in the room (`not_member`), their role is too low
             *     for this (`not_allowed`), or the target's rank is not below theirs (`outranked`).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, no such member of it, or no such ban. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The room has no such moderation (`not_moderated`: direct rooms, and kicks and bans
             *     in General, which everyone is in), or it would lose its last owner (`last_owner`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    kickMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done (or nothing to change). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The caller may not: they are not in the room (`not_member`), their role is too low
             *     for this (`not_allowed`), or the target's rank is not below theirs (`outranked`).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, no such member of it, or no such ban. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The room has no such moderation (`not_moderated`: direct rooms, and kicks and bans
             *     in General, which everyone is in), or it would lose its last owner (`last_owner`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    banUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["NewBan"];
            };
        };
        responses: {
            /** @description Done (or nothing to change). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The caller may not: they are not in the room (`not_member`), their role is too low
             *     for this (`not_allowed`), or the target's rank is not below theirs (`outranked`).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, no such member of it, or no such ban. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The room has no such moderation (`not_moderated`: direct rooms, and kicks and bans
             *     in General, which everyone is in), or it would lose its last owner (`last_owner`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    unbanUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done (or nothing to change). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The caller may not: they are not in the room (`not_member`), their role is too low
             *     for this (`not_allowed`), or the target's rank is not below theirs (`outranked`).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, no such member of it, or no such ban. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The room has no such moderation (`not_moderated`: direct rooms, and kicks and bans
             *     in General, which everyone is in), or it would lose its last owner (`last_owner`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    muteMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["NewMute"];
            };
        };
        responses: {
            /** @description Done (or nothing to change). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The caller may not: they are not in the room (`not_member`), their role is too low
             *     for this (`not_allowed`), or the target's rank is not below theirs (`outranked`).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, no such member of it, or no such ban. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The room has no such moderation (`not_moderated`: direct rooms, and kicks and bans
             *     in General, which everyone is in), or it would lose its last owner (`last_owner`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    unmuteMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done (or nothing to change). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The caller may not: they are not in the room (`not_member`), their role is too low
             *     for this (`not_allowed`), or the target's rank is not below theirs (`outranked`).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, no such member of it, or no such ban. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The room has no such moderation (`not_moderated`: direct rooms, and kicks and bans
             *     in General, which everyone is in), or it would lose its last owner (`last_owner`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listBans: {
        parameters: {
            query?: {
                /** @description Bans per page (default 100). */
                limit?: number;
                /** @description The `cursor` of the previous page's `Link` header. */
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Bans in force (order unspecified), with a `Link` to the next page while there is one. */
            200: {
                headers: {
                    LINK?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["BanView"][];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a moderator of this room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    roomAudit: {
        parameters: {
            query?: {
                /** @description Entries per page (default 50). */
                limit?: number;
                /** @description The `id` of the oldest entry seen: the page holds older ones. */
                before?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The newest entries first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["AuditEntryView"][];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not an admin of this room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listRoomInvites: {
        parameters: {
            query?: {
                /** @description Invitations per page (default 100). */
                limit?: number;
                /** @description The `cursor` of the previous page's `Link` header. */
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description The room's pending invitations (order unspecified), with a `Link` to the next page
             *     while there is one.
             */
            200: {
                headers: {
                    LINK?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["InviteView"][];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a moderator of the room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    inviteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["NewInvite"];
            };
        };
        responses: {
            /** @description The user was invited already: the pending invitation. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["InviteView"];
                };
            };
            /** @description Invited: the user sees it live (`invite.received`) and in `GET /api/invites`. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["InviteView"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The caller is not in the room (`not_member`), or may not invite to it
             *     (`not_allowed`: in a private room, moderators and up invite).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, or no such user. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The user is in the room (`already_member`), banned from it (`banned`), or holds as
             *     many pending invitations as one may (`too_many_invites`); direct rooms and General
             *     take no invitations (`not_invitable`); their invitation changed as this ran
             *     (`conflict`: retry).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller invites faster than their rate; retry after `Retry-After` seconds. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    revokeInvite: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                invite_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller may not (`not_allowed`, `not_member`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, invitation or link. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    myInvites: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["InviteView"][];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    acceptInvite: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                invite_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller is in the room (they get `room.joined`). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["EnteredRoom"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is banned from the room (`banned`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such invitation or link (or it ended, was used up or revoked). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is in as many rooms as they may be (`too_many_rooms`). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller joins rooms faster than their rate; retry after `Retry-After` seconds. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    declineInvite: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                invite_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller may not (`not_allowed`, `not_member`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, invitation or link. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listInviteLinks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The room's invite links that hold, newest first (without their tokens). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["InviteLinkView"][];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a moderator of the room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createInviteLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["NewInviteLink"];
            };
        };
        responses: {
            /** @description The link: share its `url` (or `token`); it is shown only now. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["InviteLinkView"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller may not make links to this room (`not_allowed`, `not_member`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Direct rooms and General take no invitations (`not_invitable`). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller invites faster than their rate; retry after `Retry-After` seconds. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    revokeInviteLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                link_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller may not (`not_allowed`, `not_member`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, invitation or link. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    acceptInviteLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller is in the room (they get `room.joined`). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["EnteredRoom"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is banned from the room (`banned`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such invitation or link (or it ended, was used up or revoked). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is in as many rooms as they may be (`too_many_rooms`). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller joins rooms faster than their rate; retry after `Retry-After` seconds. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listReports: {
        parameters: {
            query?: {
                /** @description `open` (default) or `closed`. */
                status?: components["schemas"]["ReportQueue"];
                /** @description Reports per page (default 50). */
                limit?: number;
                /** @description The `date` of the oldest report seen: the page holds older ones. */
                before?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Reports, newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ReportView"][];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a moderator of the room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    closeReport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                report_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["CloseReport"];
            };
        };
        responses: {
            /** @description The report, closed. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ReportView"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a moderator of the room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room or report. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description It was closed already (`already_closed`): the report as it is. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listMessages: {
        parameters: {
            query?: {
                /** @description Older than this cursor. */
                before?: string;
                /** @description Newer than this cursor (with `before` too: the messages between them). */
                after?: string;
                /** @description Page size (default 50). */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of messages. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["MessagePage"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a member of this named room (join it first). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room (or not one of the caller's direct rooms). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    postMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["PostMessage"];
            };
        };
        responses: {
            /** @description The message was stored and delivered (or, for a repeated `clientId`, was before). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["Message"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The caller is not a member of this room (`not_member`), or a moderator made them
             *     read-only in it for a while (`muted`).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No such room, `replyTo` names no message of it (`reply_not_found`), or an attachment
             *     is not one of the caller's uploads in it (`attachment_not_found`).
             */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description `replyTo` names a deleted message (`reply_deleted`), or an attachment was sent with
             *     another message (`attachment_taken`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller posts faster than their message rate; retry after `Retry-After` seconds. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                message_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tombstone (for a message deleted before, as it was). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["Message"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not the message's author, or not a member of the room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, or no such message in it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The message kept changing at the same time (`conflict`): retry. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the caller's rate (changes count as messages); retry after `Retry-After`. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    editMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                message_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["EditMessage"];
            };
        };
        responses: {
            /** @description The message as it is now (for a change that changed nothing, as it was). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["Message"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Not the message's author (edit, delete), not a member of the room, or read-only in
             *     it for a while (`muted`: no edits, no reactions).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, or no such message in it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The message was deleted (`message_deleted`), a reaction would pass its bounds
             *     (`reaction_limit`: 20 different emoji per message, 10 reactions per user on one
             *     message), or the message kept changing at the same time (`conflict`: retry).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the caller's rate (changes count as messages); retry after `Retry-After`. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    addReaction: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                message_id: string;
                emoji: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The message as it is now (for a change that changed nothing, as it was). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["Message"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Not the message's author (edit, delete), not a member of the room, or read-only in
             *     it for a while (`muted`: no edits, no reactions).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, or no such message in it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The message was deleted (`message_deleted`), a reaction would pass its bounds
             *     (`reaction_limit`: 20 different emoji per message, 10 reactions per user on one
             *     message), or the message kept changing at the same time (`conflict`: retry).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the caller's rate (changes count as messages); retry after `Retry-After`. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    removeReaction: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                message_id: string;
                emoji: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The message as it is now (for a change that changed nothing, as it was). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["Message"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Not the message's author (edit, delete), not a member of the room, or read-only in
             *     it for a while (`muted`: no edits, no reactions).
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, or no such message in it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The message was deleted (`message_deleted`), a reaction would pass its bounds
             *     (`reaction_limit`: 20 different emoji per message, 10 reactions per user on one
             *     message), or the message kept changing at the same time (`conflict`: retry).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the caller's rate (changes count as messages); retry after `Retry-After`. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    reportMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                message_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["NewReport"];
            };
        };
        responses: {
            /** @description The caller's open report of this message, made before. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ReportView"];
                };
            };
            /** @description Reported: the room's moderators see it. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ReportView"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a member of this room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room, or no such message in it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The message was deleted (`message_deleted`) or is the caller's own
             *     (`own_message`).
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the caller's rate (reports count as messages); retry after `Retry-After`. */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    markRead: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["ReadUpTo"];
            };
        };
        responses: {
            /** @description The read marker is at `date` or later. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a member of this room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    onlineUsers: {
        parameters: {
            query?: {
                /** @description Users per page (default 200). */
                limit?: number;
                /** @description The `cursor` of the previous page's `Link` header. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description Online users (each once on a page; order unspecified). `Link: </api/users/online?
             *     limit=…&cursor=…>; rel="next"` names the next page; the last page has no `Link`.
             */
            200: {
                headers: {
                    LINK?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["UserView"][];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    users: {
        parameters: {
            query: {
                ids: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["UserView"][];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    findUser: {
        parameters: {
            query: {
                name: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["UserView"];
                };
            };
            /** @description A parameter or the body does not fit its schema; `message` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No account has this name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    uploadFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The file (its name is kept; its type is found from its content).
                     */
                    file: string;
                };
            };
        };
        responses: {
            /**
             * @description Stored, not attached yet: send its `id` in a message's `attachments` (within a day,
             *     or it is deleted).
             */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["Attachment"];
                };
            };
            /**
             * @description No `file` field, a body that is not a readable form, or a body that stopped
             *     arriving (`invalid_upload`).
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a member of this room. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such room (or not one of the caller's). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The file is larger than `UPLOAD_MAX_BYTES` (`file_too_large`); nothing is stored. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not `multipart/form-data`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description An image that cannot be decoded (`invalid_image`) or has too many pixels
             *     (`image_too_large`: a decompression bomb is one); nothing is stored.
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over the upload rate (`rate_limited`) or today's bytes (`upload_quota`); retry after
             *     `Retry-After` seconds.
             */
            429: {
                headers: {
                    "RETRY-AFTER": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many images are being processed; retry in a moment (`busy`). */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    downloadUpload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                upload_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description The file, with its detected type. Images are `inline`; everything else is an
             *     `attachment` (`Content-Disposition`). Always `X-Content-Type-Options: nosniff` and
             *     `Content-Security-Policy: sandbox; …`, cached privately.
             */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such upload, or the caller is not a member of its room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    uploadThumbnail: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                upload_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description The file, with its detected type. Images are `inline`; everything else is an
             *     `attachment` (`Content-Disposition`). Always `X-Content-Type-Options: nosniff` and
             *     `Content-Security-Policy: sandbox; …`, cached privately.
             */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                };
            };
            /** @description Not signed in, or the session expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such upload, or the caller is not a member of its room. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}
