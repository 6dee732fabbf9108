// A battle's page: play it when you have a seat, watch it otherwise. Chess is drawn with
// lichess's chessground; every change arrives over the socket.

import { Chessground } from '@lichess-org/chessground';
import type { Api } from '@lichess-org/chessground/api';
import type { Key } from '@lichess-org/chessground/types';

import { failureText, request } from '../common/api';
import { sanLine, typedMove } from '../common/chess';
import { formatTime, timesLeft, turnLeft } from '../common/clock';
import { playerLabel } from '../common/players';
import { currentSession } from '../common/session';
import { BattleSocket, type ServerEvent } from '../common/socket';
import type { Action, Battle, Player } from '../common/types';
import { h, header, mount, type VNode } from '../common/view';
import { DuelView } from '../duel';
import { destinations, evaluated, takeBackPlies, type Evaluation } from './position';

const COLOURS = ['white', 'black'] as const;
const CLOCK_REDRAW_MS = 100;

export function gamePage(root: Element, battleId: string): void {
  const session = currentSession();
  let battle: Battle | null = null;
  let error = '';
  let connected = true;
  let thinking = '';
  let spectators = 0;
  let evaluation: Evaluation | null = null; // the computer's last report while it thought
  let board: Api | null = null;
  let startFen = '';
  let promoting: string | null = null; // a pawn's move to the last rank, awaiting its piece
  const duel = new DuelView(
    (action) => void act(action),
    () => redraw(),
  );

  const mySeat = (): number | null => me()?.seat ?? null;
  const me = (): Player | undefined =>
    battle?.players.find((player) => session && player.userId === session.userId);

  /** Every fresh copy of the battle goes through here, so the duel's log sees it. */
  function received(fresh: Battle): void {
    battle = fresh;
    if (fresh.game === 'duel') duel.loaded(fresh);
  }

  async function load(): Promise<void> {
    try {
      received(await request<Battle>('GET', `/battles/${battleId}`));
      if (battle?.game === 'chess' && !startFen) {
        const replay = await request<{ initialState: { fen: string } }>('GET', `/state/replay/${battleId}`);
        startFen = replay.initialState.fen;
      }
      error = '';
    } catch (exc) {
      error = failureText(exc);
    }
    redraw();
    syncBoard();
  }

  async function act(action: Action): Promise<void> {
    try {
      received(await request<Battle>('POST', `/battles/${battleId}/actions`, { action }));
      error = '';
    } catch (exc) {
      error = failureText(exc);
    }
    redraw();
    syncBoard();
  }

  async function post(path: string): Promise<void> {
    try {
      received(await request<Battle>('POST', `/battles/${battleId}/${path}`));
      error = '';
    } catch (exc) {
      error = failureText(exc);
    }
    redraw();
    syncBoard();
  }

  function hear(event: ServerEvent): void {
    if (battle?.game === 'duel' && duel.hear(event)) redraw();
    if (event.event === 'battle:spectators') {
      spectators = Number(event.data.spectators);
      redraw();
    } else if (event.event === 'ai:thinking') {
      thinking = 'The computer is thinking…';
      if (battle?.game === 'chess') evaluation = evaluated(battle, event.data) ?? evaluation;
      redraw();
    } else if (['game:update', 'game:end', 'game:start'].includes(event.event)) {
      thinking = '';
      void load();
    }
  }

  function moved(orig: Key, dest: Key): void {
    const move = `${orig}${dest}`;
    if (battle?.legalActions?.some((a) => a.move === `${move}q`)) {
      promoting = move;
      redraw();
    } else void act({ type: 'move', move });
  }

  function promote(piece: string | null): void {
    const move = promoting;
    promoting = null;
    if (move && piece) void act({ type: 'move', move: move + piece });
    else {
      redraw();
      syncBoard();
    }
  }

  function promotionPicker(): VNode {
    const pieces: [string, string][] = [['q', 'Queen'], ['r', 'Rook'], ['b', 'Bishop'], ['n', 'Knight']];
    return h('div.promotion', { attrs: { role: 'group', 'aria-label': 'Promote to' } }, [
      h('p', 'Promote to'),
      ...pieces.map(([letter, name]) =>
        h(`button.promote-${letter}`, { on: { click: () => promote(letter) } }, name),
      ),
      h('button.cancel', { on: { click: () => promote(null) } }, 'Cancel'),
    ]);
  }

  function typing(): VNode {
    return h(
      'form.type-move',
      {
        on: {
          submit: (event: Event) => {
            event.preventDefault();
            const input = (event.target as HTMLFormElement).elements.namedItem('move') as HTMLInputElement;
            const move = typedMove(battle?.state.fen ?? '', input.value);
            if (move) {
              input.value = '';
              void act({ type: 'move', move });
            } else {
              error = `${input.value} is not a legal move here: type it as e2e4 or e4`;
              redraw();
            }
          },
        },
      },
      [
        h('label', [
          'Type a move',
          h('input', { attrs: { name: 'move', autocomplete: 'off', placeholder: 'e4 or e2e4' } }),
        ]),
      ],
    );
  }

  function syncBoard(): void {
    const element = document.querySelector('.cg-wrap-holder');
    if (!battle || battle.game !== 'chess' || !element) return;
    const state = battle.state;
    const fen = state.fen ?? undefined;
    const seat = mySeat();
    const toMove = (fen?.split(' ')[1] ?? 'w') === 'w' ? 'white' : 'black';
    const last = state.moves?.at(-1);
    const config = {
      fen,
      orientation: COLOURS[seat ?? 0],
      turnColor: toMove,
      check: Object.values(state.players).some((player) => player.inCheck === true),
      lastMove: last ? ([last.slice(0, 2), last.slice(2, 4)] as Key[]) : undefined,
      movable: {
        free: false,
        color: seat === null ? undefined : COLOURS[seat],
        dests: destinations(battle.legalActions),
        events: { after: moved },
      },
      viewOnly: seat === null || state.status === 'FINISHED',
      // Its arrow layers set style attributes, which the page's policy refuses.
      drawable: { enabled: false, visible: false },
    } as const;
    if (board) board.set(config);
    else board = Chessground(element as HTMLElement, config);
  }

  function result(): string {
    const outcome = battle?.state.result;
    if (!battle || !outcome) return '';
    if (!outcome.winners.length) return `Draw (${outcome.reason})`;
    const winner = battle.players.find((player) => player.id === outcome.winners[0]);
    const name = battle.game === 'chess' ? COLOURS[winner?.seat ?? 0] : `Player ${(winner?.seat ?? 0) + 1}`;
    const mine = winner?.userId === session?.userId ? ' — you win' : '';
    return `${name[0].toUpperCase()}${name.slice(1)} wins (${outcome.reason})${mine}`;
  }

  /** Against the computer a move can be taken back: its answer with it, when it has one. */
  async function takeBack(plies: number): Promise<void> {
    try {
      await request('POST', `/games/${battleId}/undo`, { count: plies });
      evaluation = null;
      await load();
    } catch (exc) {
      error = failureText(exc);
      redraw();
    }
  }

  function controls(): VNode[] {
    if (!battle) return [];
    const seat = mySeat();
    if (battle.status === 'WAITING' && seat === null && session) {
      return [h('button.join', { on: { click: () => void post('join') } }, 'Take the free seat')];
    }
    const buttons: VNode[] = [];
    const plies = battle.game === 'chess' && !thinking ? takeBackPlies(battle, me()) : 0;
    if (plies) {
      buttons.push(h('button.take-back', { on: { click: () => void takeBack(plies) } }, 'Take back'));
    }
    if (battle.status === 'ACTIVE' && seat !== null) {
      buttons.push(h('button.resign', { on: { click: () => void post('forfeit') } }, 'Resign'));
    }
    return buttons;
  }

  /** Each seat's time under a time control, or the time left for this turn. */
  function clocks(shown: Battle): VNode | null {
    const now = Date.now();
    const times = timesLeft(shown, now);
    if (times) {
      const running = shown.state.status === 'ACTIVE' ? shown.state.clock?.running : null;
      return h(
        'ul.clocks',
        times.map((left, seat) =>
          h(`li.clock${seat === running ? '.running' : ''}`, { attrs: { 'data-seat': String(seat) } }, [
            h('span.who', playerLabel(shown.players[seat])),
            h('span.time', formatTime(left)),
          ]),
        ),
      );
    }
    const turn = turnLeft(shown, now);
    return turn === null ? null : h('p.turn-clock', `Time for this turn: ${formatTime(turn)}`);
  }

  function render(): VNode {
    const state = battle?.state;
    return h('div.page', [
      header(session?.username ?? null),
      h('main.game', [
        connected ? null : h('p.notice', { attrs: { role: 'status' } }, 'Connection lost; reconnecting…'),
        error ? h('p.error', { attrs: { role: 'alert' } }, error) : null,
        h('div.board-side', [
          battle?.game === 'duel'
            ? duel.board(battle, me()?.id ?? null)
            : h('div.cg-wrap-holder', { hook: { insert: () => syncBoard() } }),
        ]),
        h('aside.info', [
          battle ? h('p.status', `${battle.game} · ${battle.status.toLowerCase()}`) : h('p', 'Loading…'),
          battle ? h('p.players', battle.players.map(playerLabel).join(' vs ')) : null,
          battle ? clocks(battle) : null,
          spectators ? h('p.spectators', `${spectators} watching`) : null,
          state?.status === 'FINISHED' ? h('p.result', { attrs: { role: 'status' } }, result()) : null,
          state?.status === 'FINISHED'
            ? h('a.replay-link', { attrs: { href: `/replay/${battleId}` } }, 'Replay')
            : null,
          ...(battle?.game === 'duel'
            ? duel.side(battle, me()?.id ?? null)
            : [
                thinking ? h('p.thinking', thinking) : null,
                evaluation ? evaluationView(evaluation) : null,
                promoting ? promotionPicker() : null,
                battle?.legalActions?.length ? typing() : null,
                h(
                  'ol.moves',
                  (startFen ? sanLine(startFen, state?.moves ?? []) : (state?.moves ?? [])).map((move) =>
                    h('li', move),
                  ),
                ),
              ]),
          ...controls(),
        ]),
      ]),
    ]);
  }

  const redraw = mount(root, render);
  // The clocks run down between the server's updates.
  setInterval(() => {
    if (battle?.state.status === 'ACTIVE' && (battle.state.clock || battle.options?.turnSeconds)) redraw();
  }, CLOCK_REDRAW_MS);
  new BattleSocket({ battleId }, hear, (up) => {
    connected = up;
    redraw();
  });
  void load();
}

function evaluationView(evaluation: Evaluation): VNode {
  const { depth, score, mate, line } = evaluation;
  const shown =
    mate !== undefined
      ? `mate in ${Math.abs(mate)} for ${mate > 0 ? 'white' : 'black'}`
      : `${score >= 0 ? '+' : ''}${(score / 100).toFixed(2)}`;
  return h('div.evaluation', [
    h('meter', {
      attrs: { min: -1000, max: 1000, value: Math.max(-1000, Math.min(1000, score)) },
      props: { title: 'Evaluation for white' },
    }),
    h('p.eval-line', `Depth ${depth} · ${shown} · ${line.join(' ')}`),
  ]);
}
