import { describe, expect, it } from 'vitest';

import { sanLine, typedMove } from '../src/common/chess';

const START = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';

describe('sanLine', () => {
  it('writes the moves the server keeps in UCI as SAN', () => {
    expect(sanLine(START, ['e2e4', 'e7e5', 'g1f3', 'b8c6', 'f1c4', 'g8f6', 'e1g1'])).toEqual([
      'e4', 'e5', 'Nf3', 'Nc6', 'Bc4', 'Nf6', 'O-O',
    ]);
  });

  it('marks checks, mates and promotions', () => {
    expect(sanLine(START, ['f2f3', 'e7e5', 'g2g4', 'd8h4'])).toEqual(['f3', 'e5', 'g4', 'Qh4#']);
    expect(sanLine('8/4P3/8/8/8/8/k7/4K3 w - - 0 1', ['e7e8r'])).toEqual(['e8=R']);
  });

  it('starts from the battle’s own position', () => {
    expect(sanLine('4k3/8/8/8/8/8/8/R3K3 w Q - 0 1', ['e1c1'])).toEqual(['O-O-O']);
  });

  it('leaves a move the rules refuse as it came', () => {
    expect(sanLine(START, ['e2e5', 'e2e4'])).toEqual(['e2e5', 'e4']);
  });
});

describe('typedMove', () => {
  it('takes UCI and SAN alike', () => {
    expect(typedMove(START, 'e2e4')).toBe('e2e4');
    expect(typedMove(START, 'e4')).toBe('e2e4');
    expect(typedMove(START, ' Nf3 ')).toBe('g1f3');
    expect(typedMove(START, 'E2E4')).toBe('e2e4');
  });

  it('castles and promotes', () => {
    expect(typedMove('4k3/8/8/8/8/8/8/4K2R w K - 0 1', 'O-O')).toBe('e1g1');
    expect(typedMove('8/4P3/8/8/8/8/k7/4K3 w - - 0 1', 'e8=N')).toBe('e7e8n');
  });

  it('refuses what is no legal move here', () => {
    expect(typedMove(START, 'e5')).toBeNull();
    expect(typedMove(START, 'Qh5')).toBeNull();
    expect(typedMove(START, '')).toBeNull();
    expect(typedMove('not a fen', 'e4')).toBeNull();
  });
});

describe('typedMove castling', () => {
  it('sends the king’s two-square move however castling is typed', () => {
    const fen = 'r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1';
    expect(typedMove(fen, 'O-O-O')).toBe('e1c1');
    expect(typedMove(fen, 'e1h1')).toBe('e1g1');
    expect(typedMove(fen, 'e1c1')).toBe('e1c1');
    expect(typedMove(fen.replace(' w ', ' b '), 'O-O')).toBe('e8g8');
  });
});
