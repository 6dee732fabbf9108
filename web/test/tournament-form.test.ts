import { describe, expect, it } from 'vitest';

import type { EngineRating } from '../src/common/types';
import {
  buildTournament,
  calibrationText,
  emptyForm,
  engineFor,
  isUserId,
  timeControlOf,
  type TournamentForm,
} from '../src/tournaments/form';

const USER = '0b4c8a4e-5f1d-4c2b-9a51-3e1f0d2c7b6a';

function form(changes: Partial<TournamentForm>): TournamentForm {
  return { ...emptyForm(), name: 'Friday bots', ...changes };
}

const STOCKFISH = { engine: 'stockfish', game: 'chess', title: 'Stockfish' } as const;
const DUEL_AI = { engine: 'duel-ai', game: 'duel', title: 'duel AI' } as const;
const engines = [0, 5, 10].map((level) => ({ kind: 'engine' as const, ...STOCKFISH, level, searchTime: 50 }));

describe('the create form', () => {
  it('builds a round-robin of engines with the built-in book, untimed', () => {
    const built = buildTournament(form({ participants: engines, concurrency: 3 }));
    expect(built.errors).toEqual([]);
    expect(built.body).toEqual({
      name: 'Friday bots',
      game: 'chess',
      format: 'round-robin',
      participants: [
        { engine: 'stockfish', level: 0, searchTime: 50 },
        { engine: 'stockfish', level: 5, searchTime: 50 },
        { engine: 'stockfish', level: 10, searchTime: 50 },
      ],
      gamesPerPairing: 2,
      timeControl: null,
      openings: { book: 'builtin' },
      concurrency: 3,
    });
  });

  it('builds a Swiss with rounds, users, a clock, pasted EPD and adjudication', () => {
    const built = buildTournament(
      form({
        name: '  Swiss  ',
        format: 'swiss',
        rounds: 3,
        participants: [{ kind: 'user', userId: USER, name: 'alice' }, ...engines],
        timeControl: '3+2',
        openingSource: 'epd',
        openingText: 'rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq -',
        adjudicate: true,
      }),
    );
    expect(built.errors).toEqual([]);
    expect(built.body).toMatchObject({
      name: 'Swiss',
      format: 'swiss',
      rounds: 3,
      participants: [{ userId: USER }, { engine: 'stockfish', level: 0, searchTime: 50 }, {}, {}],
      timeControl: { limit: 180, increment: 2 },
      openings: { epd: 'rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq -' },
      adjudication: { resign: { score: 800, moves: 5 }, draw: { score: 10, moves: 8, after: 40 } },
    });
    expect(built.body).not.toHaveProperty('sprt');
  });

  it('builds a match with its SPRT, and no rounds', () => {
    const built = buildTournament(form({ format: 'match', participants: engines.slice(0, 2), gamesPerPairing: 200, elo1: 5 }));
    expect(built.body?.sprt).toEqual({ elo0: 0, elo1: 5, alpha: 0.05, beta: 0.05 });
    expect(built.body).not.toHaveProperty('rounds');
  });

  it('gives a duel the duel AI, no clock, no openings, a round limit', () => {
    const duelists = [1, 3].map((level) => ({ kind: 'engine' as const, ...DUEL_AI, level, searchTime: 100 }));
    const built = buildTournament(form({ game: 'duel', participants: duelists, timeControl: '3+2', adjudicate: true, maxRounds: 30 }));
    expect(built.errors).toEqual([]);
    expect(built.body?.timeControl).toBeNull();
    expect(built.body).not.toHaveProperty('openings');
    expect(built.body?.adjudication).toEqual({ maxRounds: 30 });
    expect(built.body?.participants[0]).toEqual({ engine: 'duel-ai', level: 1, searchTime: 100 });
  });

  it('says what to fix, in words for a person', () => {
    const errors = (changes: Partial<TournamentForm>): string[] => buildTournament(form(changes)).errors;
    expect(errors({ name: ' ', participants: engines })).toEqual(['Give the tournament a name.']);
    expect(errors({ participants: engines.slice(0, 1) })).toEqual(['Add at least two participants.']);
    expect(errors({ format: 'match', participants: engines })).toEqual([
      'A match is between exactly two participants; there are 3.',
    ]);
    expect(errors({ participants: engines, gamesPerPairing: 3 })).toEqual([
      'Games per pairing must be an even number from 2 to 1000: each opening is played twice, colours swapped.',
    ]);
    expect(errors({ format: 'swiss', participants: engines, rounds: 4 })).toEqual([
      '3 participants can play at most 3 Swiss rounds without a rematch.',
    ]);
    expect(errors({ format: 'swiss', participants: [...engines, engines[0]], rounds: 4 })).toEqual([
      '4 participants can play at most 3 Swiss rounds without a rematch.',
    ]);
    expect(errors({ participants: engines, openingSource: 'pgn', openingText: '  ' })).toEqual([
      'Paste the PGN openings, or use the built-in book.',
    ]);
    expect(errors({ game: 'duel', participants: engines })).toContain('Stockfish level 0 · 50 ms does not play duel: remove it.');
    expect(errors({ participants: [...engines, { kind: 'engine', ...STOCKFISH, level: 21, searchTime: 50 }] })).toEqual([
      'Engine levels go from 0 to 20.',
    ]);
    const alice = { kind: 'user' as const, userId: USER, name: 'alice' };
    expect(errors({ participants: [alice, alice] })).toEqual(['alice is in the list twice.']);
    expect(errors({ participants: engines, concurrency: 0 })).toEqual(['Games at once: a whole number from 1 to 32.']);
    expect(errors({ participants: engines, adjudicate: true, resignScore: 50, drawMoves: 0 })).toEqual([
      'Resign beyond 100 to 10000 centipawns.',
      'Adjudication counts 1 to 100 moves in a row.',
    ]);
    expect(errors({ participants: engines, adjudicate: true, resignScore: 100, drawScore: 100 })).toEqual([
      'The resign score must be above the draw score.',
    ]);
    expect(errors({ format: 'match', participants: engines.slice(1), elo0: 5, elo1: 5, alpha: 0 })).toEqual([
      'SPRT: elo1 must be above elo0.',
      'SPRT: alpha is a probability above 0 and below 0.5.',
    ]);
    expect(buildTournament(form({ participants: [] })).body).toBeNull();
  });
});

describe('the form helpers', () => {
  it('turns lichess time controls into seconds', () => {
    expect(timeControlOf('')).toBeNull();
    expect(timeControlOf('1+0')).toEqual({ limit: 60, increment: 0 });
    expect(timeControlOf('5+3')).toEqual({ limit: 300, increment: 3 });
  });

  it('tells a user id from a username', () => {
    expect(isUserId(USER)).toBe(true);
    expect(isUserId(` ${USER.toUpperCase()} `)).toBe(true);
    expect(isUserId('alice')).toBe(false);
  });
});

describe('the engines on offer', () => {
  const rating = (engine: typeof STOCKFISH | typeof DUEL_AI, level: number, elo: number, low: number, high: number): EngineRating => ({
    ...engine,
    level,
    searchTime: 50,
    elo,
    eloLow: low,
    eloHigh: high,
    anchor: elo === 0 && low === 0,
  });
  const ratings = [rating(STOCKFISH, 0, -760, -1060, -460), rating(STOCKFISH, 10, 0, 0, 0), rating(DUEL_AI, 10, 0, 0, 0)];

  it('are the ones the server says play the game', () => {
    expect(engineFor('chess', ratings)).toEqual(STOCKFISH);
    expect(engineFor('duel', ratings)).toEqual(DUEL_AI);
    expect(engineFor('chess', [])).toBeNull();
  });

  it('come with what their levels are worth', () => {
    expect(calibrationText(STOCKFISH, ratings)).toBe(
      'Stockfish levels in Elo at 50 ms a move, relative to level 10: 0: −760 (−1060 to −460), 10: 0.',
    );
  });
});
