// What the chess page works out from a battle as the API gives it: where pieces may go,
// what a take-back would undo, and the computer's reports seen from white's side.

import type { Key } from '@lichess-org/chessground/types';

import { sanLine } from '../common/chess';
import type { Action, Battle, Player } from '../common/types';

/** The board's legal destinations, from the server's legal actions. */
export function destinations(legal: Action[] | null): Map<Key, Key[]> {
  const dests = new Map<Key, Key[]>();
  for (const action of legal ?? []) {
    const move = String(action.move ?? '');
    const from = move.slice(0, 2) as Key;
    const to = move.slice(2, 4) as Key;
    dests.set(from, [...(dests.get(from) ?? []), to]);
  }
  return dests;
}

/** How many plies "take back" undoes for ``me`` against the computer: the last move of
 * mine and the computer's answer to it, when it has answered; 0 when nothing can be. */
export function takeBackPlies(battle: Battle, me: Player | undefined): number {
  const computer = battle.players.some((player) => player.type === 'ai');
  const last = battle.state.lastAction;
  if (!me || !computer || !last || last.action.type === 'forfeit') return 0;
  const plies = last.playerId === me.id ? 1 : 2;
  return (battle.state.moves ?? []).length >= plies ? plies : 0;
}

/** What the computer said of the position while it thought, from white's side. */
export interface Evaluation {
  depth: number;
  score: number; // centipawns for white; a mate is ±MATE_SCORE
  mate?: number; // with a forced mate: moves to it, above 0 when white mates
  line: string[]; // in SAN
}

/** Where a mate puts the evaluation: beyond any material. */
const MATE_SCORE = 100_000;

export function evaluated(battle: Battle, report: Record<string, unknown>): Evaluation | null {
  const { depth, score, mate, pv } = report;
  if (typeof depth !== 'number' || (typeof score !== 'number' && typeof mate !== 'number')) return null;
  const seat = battle.players.find((player) => player.id === report.playerId)?.seat ?? 0;
  const forWhite = seat === 0 ? 1 : -1; // reported from the mover's side
  const moves = Array.isArray(pv) ? pv.map(String) : [];
  const line = sanLine(battle.state.fen ?? '', moves).slice(0, 8);
  if (typeof mate === 'number') return { depth, score: Math.sign(forWhite * mate) * MATE_SCORE, mate: forWhite * mate, line };
  return { depth, score: forWhite * (score as number), line };
}
