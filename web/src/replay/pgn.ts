// The moves of a PGN in standard algebraic notation, for the move list: the server writes
// them, so the page needs no chess rules of its own.

const RESULTS = new Set(['1-0', '0-1', '1/2-1/2', '*']);

/** The main line's moves (``e4``, ``Qh4#``…), without numbers, comments or variations. */
export function sanMoves(pgn: string): string[] {
  const movetext = pgn
    .split('\n')
    .filter((line) => !line.startsWith('['))
    .map((line) => line.replace(/;.*$/, '')) // a comment to the end of the line
    .join(' ')
    .replace(/\{[^}]*\}/g, ' '); // a comment in braces
  const moves: string[] = [];
  let depth = 0; // inside a variation's parentheses
  for (const token of movetext.split(/\s+|(?=[()])|(?<=[()])/)) {
    if (token === '(') depth += 1;
    else if (token === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && token && !RESULTS.has(token) && !/^\d+\.+$/.test(token) && !token.startsWith('$')) {
      moves.push(token.replace(/^\d+\.+/, ''));
    }
  }
  return moves;
}
