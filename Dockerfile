# syntax=docker/dockerfile:1
#
# redis-chat image: the server binary plus the built browser client.
#   docker build -t redis-chat .
#   docker run --rm -p 4000:4000 -e REDIS_URL=redis://host.docker.internal:6379 redis-chat
# Without REDIS_URL the server starts its own redis-server inside the container (data under
# DATA_DIR=/app/data, lost with the container unless a volume is mounted there).

# ---- 1. browser client -------------------------------------------------------------------
FROM node:20-bookworm-slim AS client
WORKDIR /src/client
# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY client/package.json client/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY client/ ./
RUN npm run build

# ---- 2. server ---------------------------------------------------------------------------
FROM rust:1-bookworm AS server
WORKDIR /src
# Dependencies first: build them against stub sources, so this layer is reused until a
# manifest or Cargo.lock changes.
COPY Cargo.toml Cargo.lock ./
COPY modules/core/Cargo.toml modules/core/Cargo.toml
COPY modules/auth/Cargo.toml modules/auth/Cargo.toml
COPY modules/rooms/Cargo.toml modules/rooms/Cargo.toml
COPY modules/messages/Cargo.toml modules/messages/Cargo.toml
COPY modules/presence/Cargo.toml modules/presence/Cargo.toml
# The load generator is a workspace member the server does not use: cargo needs its manifest
# to load the workspace, and stub sources that stay (its real sources are never copied).
COPY loadgen/Cargo.toml loadgen/Cargo.toml
RUN mkdir -p src loadgen/src \
    && for m in core auth rooms messages presence; do \
         mkdir -p "modules/$m/src" && : > "modules/$m/src/lib.rs"; \
       done \
    && : > src/lib.rs \
    && echo 'fn main() {}' > src/main.rs \
    && : > loadgen/src/lib.rs \
    && echo 'fn main() {}' > loadgen/src/main.rs \
    && cargo build --release --locked -p redis-chat --bin redis-chat \
    && rm -rf src modules/*/src
# The real sources. Touch them so cargo rebuilds the workspace crates even where a file's
# mtime is older than the stub build.
COPY src ./src
COPY modules ./modules
RUN find src modules -name '*.rs' -exec touch {} + \
    && cargo build --release --locked -p redis-chat --bin redis-chat \
    && cp target/release/redis-chat /usr/local/bin/redis-chat

# ---- 3. runtime --------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime
# ca-certificates: TLS to a managed Redis (rediss://) or an OTLP collector.
# redis-server: only for the embedded mode (no REDIS_URL); docker-compose uses its own Redis.
# Versions come from the bookworm suite (security updates included), not pinned one by one.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates redis-server \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
         --shell /usr/sbin/nologin app \
    && mkdir -p /app/data \
    && chown app:app /app/data

COPY --from=server /usr/local/bin/redis-chat /usr/local/bin/redis-chat
COPY --from=client /src/client/dist /app/client/dist

WORKDIR /app
ENV HOST=0.0.0.0 \
    PORT=4000 \
    CLIENT_DIR=/app/client/dist \
    DATA_DIR=/app/data
USER 10001:10001
EXPOSE 4000

# No curl in the image: bash's /dev/tcp sends a plain HTTP request to /healthz and checks
# the status line.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-4000} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["redis-chat"]
