#!/usr/bin/env bash
# Checks that the server does exactly what its OpenAPI document says: schemathesis (pinned)
# runs every check (`--checks all`) through its examples, coverage, fuzzing and stateful
# phases against a real instance with its own embedded Redis, signed in as a demo user.
# Any failure fails the run. Usage: scripts/api-contract.sh [extra schemathesis options]
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMATHESIS_VERSION=4.32.5
VENV="${SCHEMATHESIS_VENV:-$HOME/.cache/redis-chat/schemathesis-$SCHEMATHESIS_VERSION}"
if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --bin redis-chat
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
# Message, room, join, invitation and sign-up rates off: the fuzzer posts as one user (from one
# address) far faster than a person does (429 is declared and accepted, but would leave
# those operations barely exercised).
# Login throttling high: the fuzzer's wrong passwords must not lock the runs' own sign-ins.
# Pablo is a site admin, so that the site admins' operations are reached (not only 403).
PORT=$port DATA_DIR="$work/data" CLIENT_DIR="$work/none" MESSAGES_PER_SEC=0 \
  ROOMS_PER_MINUTE=0 DIRECT_ROOMS_PER_MINUTE=0 JOINS_PER_MINUTE=0 INVITES_PER_MINUTE=0 \
  REGISTRATIONS_PER_HOUR=0 \
  LOGIN_MAX_FAILURES=100000 ADMIN_USERS=Pablo RUST_LOG=warn \
  "$target/debug/redis-chat" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -sf "$base/readyz" >/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done

token() {
  curl -sf -X POST "$base/api/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"password123\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

run() {
  "$VENV/bin/st" --config-file openapi/schemathesis.toml --no-color run "$base/openapi.json" \
    --checks all -H "Authorization: Bearer $1" "${@:2}"
}

# Both sessions before any run (a failed sign-in stops here, not as an empty token).
pablo=$(token Pablo)
joe=$(token Joe)
[ -n "$pablo" ] && [ -n "$joe" ] || { echo "signing in the demo users failed" >&2; exit 1; }

# Two messages of Pablo's in General, for the operations that change one
# (openapi/schemathesis.toml): one to edit and react to, one to delete.
post() {
  curl -sf -X POST "$base/api/rooms/0/messages" -H "Authorization: Bearer $pablo" \
    -H 'content-type: application/json' -d "{\"message\":\"$1\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
CONTRACT_MESSAGE_ID=$(post "to edit and react to")
CONTRACT_DELETABLE_ID=$(post "to delete")
export CONTRACT_MESSAGE_ID CONTRACT_DELETABLE_ID
[ -n "$CONTRACT_MESSAGE_ID" ] && [ -n "$CONTRACT_DELETABLE_ID" ] || { echo "posting the messages failed" >&2; exit 1; }

# A room Pablo owns, with Joe in it: the moderation operations run there (random room ids
# reach only 403 and 404, which would leave them untested).
CONTRACT_ROOM_ID=$(curl -sf -X POST "$base/api/rooms" -H "Authorization: Bearer $pablo" \
  -H 'content-type: application/json' -d '{"name":"contract"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
CONTRACT_USER_ID=$(curl -sf -X POST "$base/api/rooms/$CONTRACT_ROOM_ID/join" \
  -H "Authorization: Bearer $joe" -o /dev/null -w '' &&
  curl -sf "$base/api/auth/me" -H "Authorization: Bearer $joe" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
export CONTRACT_ROOM_ID CONTRACT_USER_ID
[ -n "$CONTRACT_ROOM_ID" ] && [ -n "$CONTRACT_USER_ID" ] || { echo "making the contract room failed" >&2; exit 1; }

# A file of Pablo's in General (a 1 × 1 PNG), for downloading it and its thumbnail
# (random upload ids reach only 404).
python3 - "$work/pixel.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
CONTRACT_UPLOAD_ID=$(curl -sf -X POST "$base/api/rooms/0/uploads" -H "Authorization: Bearer $pablo" \
  -F "file=@$work/pixel.png;type=image/png" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
export CONTRACT_UPLOAD_ID
[ -n "$CONTRACT_UPLOAD_ID" ] || { echo "uploading the contract file failed" >&2; exit 1; }

status=0
# Signing out (here, or everywhere, or by deleting the account) ends the session the other
# operations run in: those get a session of their own.
ending=(--include-operation-id logout --include-operation-id logoutAll
  --include-operation-id deleteAccount)
changes=(--include-operation-id editMessage --include-operation-id deleteMessage
  --include-operation-id addReaction --include-operation-id removeReaction
  --include-operation-id muteRoom --include-operation-id unmuteRoom
  --include-operation-id downloadUpload --include-operation-id uploadThumbnail)
for op in setMemberRole kickMember banUser unbanUser muteMember unmuteMember listBans \
  listMembers roomAudit \
  listReports closeReport listRoomInvites revokeInvite inviteUser createInviteLink \
  listInviteLinks revokeInviteLink updateRoom; do
  changes+=(--include-operation-id "$op")
done
run "$pablo" "${ending[@]/--include-operation-id/--exclude-operation-id}" \
  "${changes[@]/--include-operation-id/--exclude-operation-id}" "$@" || status=1
# The operations that change a message, on the two messages posted above, muting, in
# General, and moderation, in the contract room (their ids are fixed in
# openapi/schemathesis.toml, so the stateful phase, which links other ids in, is left out).
run "$pablo" "${changes[@]}" --phases examples,coverage,fuzzing "$@" || status=1
# (Every request after the first is refused for want of a session: that is the point.)
run "$joe" "${ending[@]}" --warnings off "$@" || status=1
if [ $status -ne 0 ]; then
  echo "--- server log" >&2
  tail -50 "$work/server.log" >&2
fi
exit $status
