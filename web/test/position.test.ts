import { describe, expect, it } from 'vitest';

import type { Battle, Player } from '../src/common/types';
import { destinations, evaluated, takeBackPlies } from '../src/game/position';

const START = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';
const ME: Player = { id: 'me', userId: 'u1', seat: 0, type: 'human', level: null };
const COMPUTER: Player = { id: 'ai', userId: null, seat: 1, type: 'ai', level: 3 };

function battle(moves: string[], lastBy: string | null, players = [ME, COMPUTER], type = 'move'): Battle {
  return {
    id: 'b',
    game: 'chess',
    players,
    status: 'ACTIVE',
    createdAt: 0,
    updatedAt: 0,
    legalActions: null,
    state: {
      battleId: 'b',
      round: 1,
      currentTurn: null,
      players: {},
      status: 'ACTIVE',
      lastAction: lastBy ? { seq: moves.length, playerId: lastBy, action: { type }, at: 0 } : null,
      result: null,
      fen: START,
      moves,
    },
  };
}

describe('destinations', () => {
  it('groups the legal moves by the square they start from', () => {
    const legal = ['e2e4', 'e2e3', 'g1f3', 'e7e8q', 'e7e8n'].map((move) => ({ type: 'move', move }));
    expect(Object.fromEntries(destinations(legal))).toEqual({
      e2: ['e4', 'e3'],
      g1: ['f3'],
      e7: ['e8', 'e8'],
    });
    expect(destinations(null).size).toBe(0);
  });
});

describe('takeBackPlies', () => {
  it('undoes my move and the computer’s answer', () => {
    expect(takeBackPlies(battle(['e2e4', 'e7e5'], 'ai'), ME)).toBe(2);
  });

  it('undoes my move alone when it ended the game or awaits an answer', () => {
    expect(takeBackPlies(battle(['e2e4'], 'me'), ME)).toBe(1);
  });

  it('has nothing to undo before I have moved, after a resignation, or for a spectator', () => {
    expect(takeBackPlies(battle(['e2e4'], 'ai', [{ ...ME, seat: 1 }, { ...COMPUTER, seat: 0 }]), ME)).toBe(0);
    expect(takeBackPlies(battle([], null), ME)).toBe(0);
    expect(takeBackPlies(battle(['e2e4'], 'me', [ME, COMPUTER], 'forfeit'), ME)).toBe(0);
    expect(takeBackPlies(battle(['e2e4', 'e7e5'], 'ai'), undefined)).toBe(0);
  });

  it('is not offered between two people', () => {
    const person: Player = { ...COMPUTER, type: 'human', userId: 'u2' };
    expect(takeBackPlies(battle(['e2e4', 'e7e5'], 'ai', [ME, person]), ME)).toBe(0);
  });
});

describe('evaluated', () => {
  it('turns a report from black’s side into white’s, with the line in SAN', () => {
    const report = { playerId: 'ai', depth: 12, score: 35, pv: ['e2e4', 'e7e5', 'g1f3'] };
    expect(evaluated(battle([], null), report)).toEqual({ depth: 12, score: -35, line: ['e4', 'e5', 'Nf3'] });
  });

  it('keeps white’s reports as they are', () => {
    const black = { ...COMPUTER, id: 'ai', seat: 0 };
    expect(evaluated(battle([], null, [black, { ...ME, seat: 1 }]), { playerId: 'ai', depth: 3, score: 20 })).toEqual(
      { depth: 3, score: 20, line: [] },
    );
  });

  it('turns a mate the mover sees into one for its colour', () => {
    const report = { playerId: 'ai', depth: 245, mate: 2, pv: ['e2e4'] };
    expect(evaluated(battle([], null), report)).toEqual({ depth: 245, score: -100_000, mate: -2, line: ['e4'] });
    const mated = { playerId: 'ai', depth: 9, mate: -1 };
    expect(evaluated(battle([], null), mated)).toEqual({ depth: 9, score: 100_000, mate: 1, line: [] });
  });

  it('ignores a report without depth and score (the first, as the search starts)', () => {
    expect(evaluated(battle([], null), { playerId: 'ai' })).toBeNull();
  });
});
