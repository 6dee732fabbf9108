// The clocks a battle page shows: each seat's time left under a time control, or the
// time left for the turn under a per-turn limit; the server decides when time is up.

import type { Battle } from './types';

/** Each seat's milliseconds left at ``now``: only the running seat's time goes down. */
export function timesLeft(battle: Battle, now: number): number[] | null {
  const clock = battle.state.clock;
  if (!clock) return null;
  return clock.remaining.map((left, seat) =>
    seat === clock.running && battle.state.status === 'ACTIVE' ? Math.max(0, left - (now - clock.at)) : left,
  );
}

/** Milliseconds left for the turn under ``turnSeconds`` (it began with the last action). */
export function turnLeft(battle: Battle, now: number): number | null {
  const seconds = Number(battle.options?.turnSeconds ?? 0);
  if (!seconds || battle.state.status !== 'ACTIVE') return null;
  const began = battle.state.lastAction?.at ?? battle.updatedAt;
  return Math.max(0, began + seconds * 1000 - now);
}

/** ``1:05:03``, ``4:59``, and tenths in the last ten seconds (``0:09.4``); days as ``2d 3h``. */
export function formatTime(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours >= 24) return `${Math.floor(hours / 24)}d ${hours % 24}h`;
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  const clock = `${minutes}:${String(seconds).padStart(2, '0')}`;
  if (hours) return `${hours}:${clock.padStart(5, '0')}`;
  return ms < 10_000 ? `${clock}.${Math.floor((ms % 1000) / 100)}` : clock;
}
