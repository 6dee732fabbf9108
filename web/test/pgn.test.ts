import { describe, expect, it } from 'vitest';

import { sanMoves } from '../src/replay/pgn';

describe('sanMoves', () => {
  it('reads the main line of the PGN the server writes', () => {
    const pgn = [
      '[Event "gambit battle"]',
      '[White "alice"]',
      '[Black "Stockfish level 3"]',
      '[Result "0-1"]',
      '',
      '1. f3 e5 2. g4 Qh4# 0-1',
    ].join('\n');
    expect(sanMoves(pgn)).toEqual(['f3', 'e5', 'g4', 'Qh4#']);
  });

  it('skips comments, variations, annotations and black’s move numbers', () => {
    const pgn = '1. e4 {best by test} e5 (1... c5 2. Nf3) 2. Nf3 $1 ; a note\n2... Nc6 3. Bb5 *';
    expect(sanMoves(pgn)).toEqual(['e4', 'e5', 'Nf3', 'Nc6', 'Bb5']);
  });

  it('reads moves glued to their numbers', () => {
    expect(sanMoves('1.d4 d5 2.c4 1/2-1/2')).toEqual(['d4', 'd5', 'c4']);
  });

  it('has no moves for an empty game', () => {
    expect(sanMoves('[Event "x"]\n\n*')).toEqual([]);
  });
});
