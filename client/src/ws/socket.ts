// One WebSocket that keeps itself connected: it reconnects with capped, jittered exponential
// backoff, and counts a connection as good only once the server's `ready` frame arrives.

import { backoffDelay } from '../state/backoff';
import { encodeClientEvent, parseServerEvent, type ClientEvent, type ServerEvent } from './events';

export interface SocketHandlers {
  /** A parsed, known event (unknown or malformed frames never get here). */
  onEvent(event: ServerEvent): void;
  /**
   * The socket closed (or never opened); the next attempt starts at `retryAt` (ms). `code`
   * is the close code, when there was a close frame (1008: the session ended).
   */
  onDown(info: { attempt: number; retryAt: number; code?: number }): void;
}

export interface SocketOptions {
  /** Delay before attempt n (0-based). */
  delay?: (attempt: number) => number;
  /** A socket that opens but sends no `ready` within this time is dropped and retried. */
  readyTimeoutMs?: number;
  now?: () => number;
  createSocket?: (url: string) => WebSocket;
}

/** `ws(s)://<host>/ws` for the page's own origin. */
export function sameOriginWsUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

/** `WebSocket.OPEN`, spelled out so this file also loads where `WebSocket` is not global. */
const OPEN = 1;

export class ChatSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private stopped = true;
  private ready = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readyTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly delay: (attempt: number) => number;
  private readonly readyTimeoutMs: number;
  private readonly now: () => number;
  private readonly createSocket: (url: string) => WebSocket;

  constructor(
    private readonly url: string,
    private readonly handlers: SocketHandlers,
    opts: SocketOptions = {},
  ) {
    this.delay = opts.delay ?? ((n) => backoffDelay(n));
    this.readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.createSocket = opts.createSocket ?? ((u) => new WebSocket(u));
  }

  /** Whether frames can be sent now (open and greeted with `ready`). */
  get isReady(): boolean {
    return this.ready && this.ws?.readyState === OPEN;
  }

  /** Consecutive failed attempts so far. */
  get failures(): number {
    return this.attempt;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(1000, 'bye');
    }
  }

  /** Skips the wait before the next attempt (browser back online, "retry now"). */
  reconnectNow(): void {
    if (this.stopped || this.ws) return;
    this.clearTimers();
    this.connect();
  }

  /** Sends a frame; false when the socket is not ready (the caller decides what that means). */
  send(event: ClientEvent): boolean {
    if (!this.isReady || !this.ws) return false;
    try {
      this.ws.send(encodeClientEvent(event));
      return true;
    } catch {
      return false;
    }
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.retryTimer = this.readyTimer = null;
  }

  private connect(): void {
    let ws: WebSocket;
    try {
      ws = this.createSocket(this.url);
    } catch {
      this.down();
      return;
    }
    this.ws = ws;
    this.ready = false;
    ws.onopen = () => {
      this.readyTimer = setTimeout(() => ws.close(4000, 'no ready'), this.readyTimeoutMs);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      const event = parseServerEvent(ev.data);
      if (!event) return;
      if (event.type === 'ready') {
        this.ready = true;
        this.attempt = 0;
        if (this.readyTimer) clearTimeout(this.readyTimer);
        this.readyTimer = null;
      }
      this.handlers.onEvent(event);
    };
    ws.onerror = () => {
      // A close event always follows; reconnecting is handled there.
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      this.down(typeof ev?.code === 'number' ? ev.code : undefined);
    };
  }

  private down(code?: number): void {
    this.clearTimers();
    if (this.stopped) return;
    const wait = this.delay(this.attempt);
    const attempt = this.attempt;
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, wait);
    this.handlers.onDown({ attempt, retryAt: this.now() + wait, code });
  }
}
