// Chess notation in the browser, with lichess's chessops: the moves the server keeps in
// UCI shown in SAN, and a move typed either way turned into UCI.

import { castlingSide, Chess } from 'chessops/chess';
import { parseFen } from 'chessops/fen';
import { makeSanAndPlay, parseSan } from 'chessops/san';
import type { Move } from 'chessops/types';
import { makeSquare, makeUci, parseUci } from 'chessops/util';

function position(fen: string): Chess | null {
  const setup = parseFen(fen);
  if (setup.isErr) return null;
  const pos = Chess.fromSetup(setup.value);
  return pos.isErr ? null : pos.value;
}

/** The moves of ``uci`` from ``startFen``, in SAN (UCI for any the rules refuse). */
export function sanLine(startFen: string, uci: string[]): string[] {
  const pos = position(startFen);
  return uci.map((text) => {
    const move = parseUci(text);
    return pos && move && pos.isLegal(move) ? makeSanAndPlay(pos, move) : text;
  });
}

/** A move typed as UCI (``e2e4``, ``e7e8q``) or SAN (``e4``, ``Nf3``, ``O-O``), as the
 * UCI the API takes; null if it is no legal move in ``fen``. */
export function typedMove(fen: string, typed: string): string | null {
  const pos = position(fen);
  const text = typed.trim();
  if (!pos || !text) return null;
  const uci = parseUci(text.toLowerCase());
  if (uci && pos.isLegal(uci)) return standardUci(pos, uci);
  const san = parseSan(pos, text);
  return san ? standardUci(pos, san) : null;
}

/** chessops writes castling as the king taking its rook (``e1h1``); the API, like UCI
 * engines, takes the king's own two-square move (``e1g1``). */
function standardUci(pos: Chess, move: Move): string {
  const side = castlingSide(pos, move);
  if (!side || !('from' in move)) return makeUci(move);
  const from = makeSquare(move.from);
  return `${from}${side === 'a' ? 'c' : 'g'}${from[1]}`;
}
