// The real-time socket: the events of the battle or tournament it subscribes to. A dropped
// connection comes back by itself and resumes the session, so no event is missed.

import { currentSession } from './session';

export interface ServerEvent {
  event: string;
  data: Record<string, unknown>;
  seq: number;
}

/** What a socket listens to: one battle's events, or one tournament's updates. */
export type Subscription = { battleId: string } | { tournamentId: string };

type Listener = (event: ServerEvent) => void;
type Status = (connected: boolean) => void;

const RETRY_MS = 1000;

export class BattleSocket {
  private socket: WebSocket | null = null;
  private sessionId: string | null = null;
  private lastSeq = 0;
  private closed = false;

  constructor(
    private readonly subscription: Subscription,
    private readonly listener: Listener,
    private readonly status: Status = () => {},
  ) {
    this.open();
  }

  close(): void {
    this.closed = true;
    this.socket?.close(1000);
  }

  private open(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const token = currentSession()?.token;
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws${query}`);
    this.socket = socket;
    socket.onmessage = (message) => this.receive(JSON.parse(String(message.data)) as ServerEvent);
    socket.onclose = () => {
      this.status(false);
      if (!this.closed) setTimeout(() => this.open(), RETRY_MS);
    };
  }

  private receive(event: ServerEvent): void {
    const socket = this.socket;
    if (!socket) return;
    if (event.event === 'connect') {
      if (this.sessionId) {
        socket.send(JSON.stringify({ event: 'reconnect', data: { sessionId: this.sessionId, lastSeq: this.lastSeq } }));
      } else {
        this.sessionId = String(event.data.sessionId);
        socket.send(JSON.stringify({ event: 'subscribe', data: this.subscription }));
      }
      this.status(true);
      return;
    }
    if (event.event === 'reconnect' && !event.data.resumed) {
      // Too long away to resume: a new session, subscribed afresh, and told to reload.
      this.sessionId = null;
      this.lastSeq = 0;
      socket.close();
      const reload = 'battleId' in this.subscription ? 'game:update' : 'tournament:update';
      this.listener({ event: reload, data: { ...this.subscription }, seq: 0 });
      return;
    }
    this.lastSeq = event.seq;
    this.listener(event);
  }
}
