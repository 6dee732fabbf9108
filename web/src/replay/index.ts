// A finished battle played back: every state from the first to the last, stepped through
// with the buttons or the arrow keys, or jumped to from the move list. Chess shows the
// board (read-only chessground) and offers the PGN; duel shows the fighters in a table.

import { Chessground } from '@lichess-org/chessground';
import type { Api } from '@lichess-org/chessground/api';
import type { Key } from '@lichess-org/chessground/types';

import { failureText, request } from '../common/api';
import { currentSession } from '../common/session';
import type { Action, GameState, History, PublicUser, Replay } from '../common/types';
import { h, header, mount, type VNode } from '../common/view';
import { sanMoves } from './pgn';

export function replayPage(root: Element, battleId: string): void {
  const session = currentSession();
  let replay: Replay | null = null;
  let states: GameState[] = [];
  let names = new Map<string, string>();
  let labels: string[] = [];
  let ply = 0;
  let pgnUrl = '';
  let error = '';
  let board: Api | null = null;

  async function load(): Promise<void> {
    try {
      const [answer, history] = await Promise.all([
        request<Replay>('GET', `/state/replay/${battleId}`),
        request<History>('GET', `/state/history?battleId=${encodeURIComponent(battleId)}`),
      ]);
      replay = answer;
      states = history.states;
      ply = states.length - 1; // the final position first: how it ended
      labels = moveLabels(answer, states);
      if (answer.pgn) pgnUrl = URL.createObjectURL(new Blob([answer.pgn], { type: 'application/x-chess-pgn' }));
      names = await playerNames(answer);
    } catch (exc) {
      error = failureText(exc);
    }
    show(ply);
  }

  /** Go to the state after ``target`` actions (0: the start), kept within the record. */
  function show(target: number): void {
    ply = Math.max(0, Math.min(states.length - 1, target));
    redraw();
    syncBoard();
  }

  function syncBoard(): void {
    const element = document.querySelector('.replay .cg-wrap-holder');
    const state = states[ply];
    if (!state || replay?.battle.game !== 'chess' || !element) return;
    const move = String(state.lastAction?.action.move ?? '');
    const config = {
      fen: state.fen ?? undefined,
      orientation: 'white',
      viewOnly: true,
      coordinates: true,
      // No drawn arrows: their layers carry a style attribute the CSP refuses.
      drawable: { enabled: false, visible: false },
      check: Object.values(state.players).some((player) => player.inCheck === true),
      lastMove: move ? ([move.slice(0, 2), move.slice(2, 4)] as Key[]) : undefined,
    } as const;
    if (board) board.set(config);
    else board = Chessground(element as HTMLElement, config);
  }

  function onKey(event: KeyboardEvent): void {
    if (event.target instanceof HTMLInputElement || event.altKey || event.ctrlKey || event.metaKey) return;
    const steps: Record<string, number> = {
      ArrowLeft: ply - 1,
      ArrowRight: ply + 1,
      Home: 0,
      End: states.length - 1,
    };
    if (!(event.key in steps)) return;
    event.preventDefault();
    show(steps[event.key]);
  }

  function stepButtons(): VNode {
    const last = states.length - 1;
    const step = (label: string, text: string, target: number, disabled: boolean): VNode =>
      h('button.step', { attrs: { 'aria-label': label, title: label, disabled }, on: { click: () => show(target) } }, text);
    return h('div.steps', [
      step('First position', '|◀', 0, ply === 0),
      step('Previous move', '◀', ply - 1, ply === 0),
      step('Next move', '▶', ply + 1, ply === last),
      step('Last position', '▶|', last, ply === last),
    ]);
  }

  function moveList(): VNode {
    return h(
      'ol.replay-moves',
      labels.map((label, index) =>
        h('li', [
          h(
            'button.ply',
            {
              class: { current: ply === index + 1 },
              attrs: { 'aria-current': ply === index + 1 ? 'step' : 'false' },
              on: { click: () => show(index + 1) },
            },
            label,
          ),
        ]),
      ),
    );
  }

  function fighters(): VNode {
    const state = states[ply];
    const rows = Object.entries(state?.players ?? {}).map(([playerId, fighter]) => {
      const position = fighter.position as { x: number; y: number } | undefined;
      const effects = (fighter.status as unknown[] | undefined) ?? [];
      return h('tr', [
        h('th', { attrs: { scope: 'row' } }, names.get(playerId) ?? playerId.slice(0, 8)),
        h('td', String(fighter.health ?? '')),
        h('td', String(fighter.energy ?? '')),
        h('td', position ? `${position.x}, ${position.y}` : ''),
        h('td', effects.map((effect) => (typeof effect === 'string' ? effect : JSON.stringify(effect))).join(', ')),
      ]);
    });
    return h('div.table-scroll', [
      h('table.fighters', [
        h('caption', `Round ${state?.round ?? ''}`),
        h('thead', h('tr', ['Fighter', 'Health', 'Energy', 'Position', 'Effects'].map((title) => h('th', { attrs: { scope: 'col' } }, title)))),
        h('tbody', rows),
      ]),
    ]);
  }

  function outcome(): string {
    const result = replay?.result ?? replay?.battle.state.result;
    if (!replay || !result) return 'Not finished yet: the moves so far.';
    if (!result.winners.length) return `Draw (${result.reason})`;
    return `${result.winners.map((id) => names.get(id) ?? 'a player').join(', ')} won (${result.reason})`;
  }

  function summary(): (VNode | null)[] {
    if (!replay) return [h('p', error ? '' : 'Loading…')];
    const battle = replay.battle;
    return [
      h('h1', `Replay · ${battle.game}`),
      h(
        'p.players',
        battle.players.map((player, seat) => {
          const name = player.id ? (names.get(player.id) ?? '') : '';
          const who = player.userId ? h('a', { attrs: { href: `/profile/${player.userId}` } }, name) : name;
          return h('span.player', [seat ? ' vs ' : '', who]);
        }),
      ),
      h('p.result', { attrs: { role: 'status' } }, outcome()),
      h('p.position', `Position ${ply} of ${states.length - 1}`),
      stepButtons(),
      pgnUrl
        ? h('a.download-pgn', { attrs: { href: pgnUrl, download: `gambit-${battleId}.pgn` } }, 'Download PGN')
        : null,
      h('p', [h('a', { attrs: { href: `/game/${battleId}` } }, 'The battle’s page')]),
    ];
  }

  function render(): VNode {
    const chess = replay?.battle.game === 'chess';
    return h('div.page', [
      header(session?.username ?? null),
      h('main.game.replay', [
        error ? h('p.error', { attrs: { role: 'alert' } }, error) : null,
        h('div.board-side', [
          chess ? h('div.cg-wrap-holder', { hook: { insert: () => syncBoard() } }) : replay ? fighters() : null,
        ]),
        h('aside.info', [...summary(), replay ? moveList() : null]),
      ]),
    ]);
  }

  const redraw = mount(root, render);
  document.addEventListener('keydown', onKey);
  void load();
}

/** The moves' names: chess's from the PGN (as a reader knows them), else a description. */
function moveLabels(replay: Replay, states: GameState[]): string[] {
  const actions = states.slice(1).map((state) => state.lastAction?.action ?? { type: '?' });
  const san = replay.pgn ? sanMoves(replay.pgn) : [];
  return actions.map((action, index) =>
    action.type === 'move' && typeof action.move === 'string' ? (san[index] ?? action.move) : describe(action),
  );
}

function describe(action: Action): string {
  const details = Object.entries(action)
    .filter(([key]) => key !== 'type')
    .map(([key, value]) => {
      const point = value as { x?: number; y?: number } | null;
      return point && typeof point === 'object' && 'x' in point ? `${key} ${point.x},${point.y}` : `${key} ${String(value)}`;
    });
  return [action.type, ...details].join(' ');
}

/** The players' usernames, by player id; the computer by its level. */
async function playerNames(replay: Replay): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await Promise.all(
    replay.battle.players.map(async (player) => {
      if (!player.id) return;
      if (player.type === 'ai' || !player.userId) {
        names.set(player.id, `Computer${player.level === null ? '' : ` (level ${player.level})`}`);
        return;
      }
      const user = await request<PublicUser>('GET', `/users/${player.userId}`).catch(() => null);
      names.set(player.id, user ? (user.displayName ?? user.username) : 'a player');
    }),
  );
  return names;
}
