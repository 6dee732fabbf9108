import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { BattleSocket, type ServerEvent } from '../src/common/socket';

/** A stand-in for the browser's WebSocket that the test drives from the server's side. */
class FakeSocket {
  static opened: FakeSocket[] = [];
  sent: { event: string; data: Record<string, unknown> }[] = [];
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }

  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }

  close(): void {
    this.onclose?.();
  }

  serve(event: string, data: Record<string, unknown>, seq: number): void {
    this.onmessage?.({ data: JSON.stringify({ event, data, seq, ts: 0 }) });
  }
}

beforeEach(() => {
  FakeSocket.opened = [];
  vi.useFakeTimers();
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('location', { protocol: 'https:', host: 'gambit.example' });
  vi.stubGlobal('localStorage', { getItem: () => null });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('BattleSocket', () => {
  it('subscribes, and after a drop resumes its session from the last event it had', () => {
    const heard: ServerEvent[] = [];
    const status: boolean[] = [];
    new BattleSocket({ battleId: 'b1' }, (event) => heard.push(event), (up) => status.push(up));
    const first = FakeSocket.opened[0];
    expect(first.url).toBe('wss://gambit.example/api/v1/ws');
    first.serve('connect', { sessionId: 's1' }, 1);
    expect(first.sent).toEqual([{ event: 'subscribe', data: { battleId: 'b1' } }]);
    first.serve('game:update', { battleId: 'b1' }, 2);
    first.serve('game:update', { battleId: 'b1' }, 3);

    first.close();
    expect(status).toEqual([true, false]);
    vi.advanceTimersByTime(1000);
    const second = FakeSocket.opened[1];
    second.serve('connect', { sessionId: 's2' }, 1);
    expect(second.sent).toEqual([{ event: 'reconnect', data: { sessionId: 's1', lastSeq: 3 } }]);
    expect(status).toEqual([true, false, true]);
    second.serve('game:action', { battleId: 'b1' }, 4); // missed while away, sent again
    expect(heard.map((event) => [event.event, event.seq])).toEqual([
      ['game:update', 2],
      ['game:update', 3],
      ['game:action', 4],
    ]);
  });

  it('starts afresh and asks for a reload when the session can no longer be resumed', () => {
    const heard: ServerEvent[] = [];
    new BattleSocket({ battleId: 'b1' }, (event) => heard.push(event));
    const first = FakeSocket.opened[0];
    first.serve('connect', { sessionId: 's1' }, 1);
    first.close();
    vi.advanceTimersByTime(1000);
    const second = FakeSocket.opened[1];
    second.serve('connect', { sessionId: 's2' }, 1);
    second.serve('reconnect', { resumed: false }, 2);
    expect(heard).toEqual([{ event: 'game:update', data: { battleId: 'b1' }, seq: 0 }]);
    vi.advanceTimersByTime(1000);
    const third = FakeSocket.opened[2];
    third.serve('connect', { sessionId: 's3' }, 1);
    expect(third.sent).toEqual([{ event: 'subscribe', data: { battleId: 'b1' } }]);
  });

  it('subscribes to a tournament, and asks for its reload when it cannot resume', () => {
    const heard: ServerEvent[] = [];
    new BattleSocket({ tournamentId: 't1' }, (event) => heard.push(event));
    const first = FakeSocket.opened[0];
    first.serve('connect', { sessionId: 's1' }, 1);
    expect(first.sent).toEqual([{ event: 'subscribe', data: { tournamentId: 't1' } }]);
    first.serve('tournament:update', { id: 't1', played: 1 }, 2);
    first.close();
    vi.advanceTimersByTime(1000);
    const second = FakeSocket.opened[1];
    second.serve('connect', { sessionId: 's2' }, 1);
    second.serve('reconnect', { resumed: false }, 2);
    expect(heard).toEqual([
      { event: 'tournament:update', data: { id: 't1', played: 1 }, seq: 2, ts: 0 },
      { event: 'tournament:update', data: { tournamentId: 't1' }, seq: 0 },
    ]);
  });

  it('stays closed once closed', () => {
    const socket = new BattleSocket({ battleId: 'b1' }, () => {});
    socket.close();
    vi.advanceTimersByTime(5000);
    expect(FakeSocket.opened).toHaveLength(1);
  });
});
