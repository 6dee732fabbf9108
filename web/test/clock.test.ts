import { describe, expect, it } from 'vitest';

import { formatTime, timesLeft, turnLeft } from '../src/common/clock';
import type { Battle, ClockState } from '../src/common/types';

function battle(clock: ClockState | null, options: Record<string, unknown> = {}, lastAt?: number): Battle {
  return {
    id: 'b',
    game: 'chess',
    players: [],
    options,
    status: 'ACTIVE',
    createdAt: 0,
    updatedAt: 500,
    legalActions: null,
    state: {
      battleId: 'b',
      round: 1,
      currentTurn: null,
      players: {},
      status: 'ACTIVE',
      lastAction: lastAt === undefined ? null : { seq: 1, playerId: 'p', action: { type: 'move' }, at: lastAt },
      result: null,
      clock,
    },
  };
}

const BLITZ: ClockState = { limit: 180, increment: 2, days: null, remaining: [180_000, 175_500], running: 1, at: 10_000 };

describe('timesLeft', () => {
  it('runs down only the running seat’s time, from when it was measured', () => {
    expect(timesLeft(battle(BLITZ), 12_500)).toEqual([180_000, 173_000]);
  });

  it('stops at zero: the server says when time is up', () => {
    expect(timesLeft(battle(BLITZ), 1_000_000)).toEqual([180_000, 0]);
  });

  it('stands still before both sides have moved, and without a time control there is none', () => {
    expect(timesLeft(battle({ ...BLITZ, running: null }), 99_000)).toEqual([180_000, 175_500]);
    expect(timesLeft(battle(null), 0)).toBeNull();
  });
});

describe('turnLeft', () => {
  it('counts the turn limit from the last action, or from the start', () => {
    expect(turnLeft(battle(null, { turnSeconds: 30 }, 1000), 11_000)).toBe(20_000);
    expect(turnLeft(battle(null, { turnSeconds: 30 }), 10_500)).toBe(20_000);
    expect(turnLeft(battle(null), 0)).toBeNull();
  });
});

describe('formatTime', () => {
  it('writes times as a chess clock does', () => {
    expect(formatTime(299_000)).toBe('4:59');
    expect(formatTime(60_000)).toBe('1:00');
    expect(formatTime(9_450)).toBe('0:09.4');
    expect(formatTime(3_903_000)).toBe('1:05:03');
    expect(formatTime(2 * 86_400_000 + 3 * 3_600_000)).toBe('2d 3h');
  });
});
