// How the pages name the players of a battle: people by name with the rating they sat
// down with, the computer by level, a seat nobody has taken as open.

import type { Battle, Player } from './types';

export function playerLabel(player: Player): string {
  if (player.type === 'ai') return `computer level ${player.level ?? 0}`;
  if (player.id === null) return 'open seat';
  if (!player.username) return `player ${player.seat + 1}`;
  return player.rating ? `${player.username} (${player.rating})` : player.username;
}

/** Who plays, and the result once there is one. */
export function describeBattle(battle: Battle): string {
  const players = battle.players.map(playerLabel).join(' vs ');
  const result = battle.state.result;
  if (!result) return players;
  if (!result.winners.length) return `${players}: draw (${result.reason})`;
  const winner = battle.players.find((player) => player.id === result.winners[0]);
  return `${players}: ${winner ? winnerName(winner) : 'nobody'} won (${result.reason})`;
}

function winnerName(player: Player): string {
  return player.type === 'ai' ? 'the computer' : (player.username ?? `player ${player.seat + 1}`);
}
