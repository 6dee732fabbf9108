// The lobby: play the computer, open a battle for another person, join an open one.

import { failureText, request } from '../common/api';
import { describeBattle } from '../common/players';
import { ChallengesCard } from './challenges';
import { currentSession } from '../common/session';
import type { Battle, BattlePage } from '../common/types';
import { h, header, mount, type VNode } from '../common/view';

interface Choices {
  level: number;
  colour: 'white' | 'black';
  searchTime: number;
  fighters: number;
  duelLevel: number;
  timeControl: string; // '' untimed, else lichess's "minutes+increment"
}

/** Time controls offered for chess, as lichess's quick pairings name them. */
const TIME_CONTROLS = ['', '1+0', '3+2', '5+3', '10+5', '15+10', '30+0'];

/** The battle option of a "minutes+increment" time control; none when untimed. */
function chessOptions(timeControl: string): { clock?: { limit: number; increment: number } } {
  if (!timeControl) return {};
  const [minutes, increment] = timeControl.split('+').map(Number);
  return { clock: { limit: minutes * 60, increment } };
}

export function lobbyPage(root: Element): void {
  const session = currentSession();
  const choices: Choices = { level: 3, colour: 'white', searchTime: 500, fighters: 2, duelLevel: 3, timeControl: '' };
  let open: Battle[] = [];
  let playing: Battle[] = [];
  let finished: Battle[] = [];
  let error = '';

  async function create(body: unknown): Promise<void> {
    try {
      const battle = await request<Battle>('POST', '/battles', body);
      location.assign(`/game/${battle.id}`);
    } catch (exc) {
      error = failureText(exc);
      redraw();
    }
  }

  function playComputer(): Promise<void> {
    const you = { type: 'human' };
    const computer = { type: 'ai', level: choices.level, searchTime: choices.searchTime };
    const seats = choices.colour === 'white' ? [you, computer] : [computer, you];
    return create({ game: 'chess', seats, options: chessOptions(choices.timeControl) });
  }

  /** You in the first seat, the computer in the others. */
  function duelComputer(): Promise<void> {
    const computer = { type: 'ai', level: choices.duelLevel, searchTime: choices.searchTime };
    const seats = [{ type: 'human' }, ...Array.from({ length: choices.fighters - 1 }, () => computer)];
    return create({ game: 'duel', seats });
  }

  function duelOpen(): Promise<void> {
    return create({ game: 'duel', seats: Array.from({ length: choices.fighters }, () => ({ type: 'human' })) });
  }

  function duelCard(): VNode {
    return h('section.card.duel', [
      h('h2', 'Duel'),
      h('p', 'A tactical battle on a 7×7 grid: 2 to 4 fighters, the last one standing wins.'),
      h('label', [
        'Fighters',
        h(
          'select',
          {
            attrs: { name: 'fighters' },
            on: {
              change: (event: Event) => {
                choices.fighters = Number((event.target as HTMLSelectElement).value);
              },
            },
          },
          [2, 3, 4].map((count) =>
            h('option', { attrs: { value: String(count), selected: choices.fighters === count } }, String(count)),
          ),
        ),
      ]),
      numberInput('duelLevel', 'Computer level (0–20)', 0, 20),
      h('button.duel-computer', { on: { click: () => void duelComputer() } }, 'Duel the computer'),
      h('button.duel-open', { on: { click: () => void duelOpen() } }, 'Open a duel for other players'),
    ]);
  }

  async function join(battle: Battle): Promise<void> {
    try {
      await request<Battle>('POST', `/battles/${battle.id}/join`);
      location.assign(`/game/${battle.id}`);
    } catch (exc) {
      error = failureText(exc);
      redraw();
    }
  }

  function numberInput(name: keyof Choices, label: string, min: number, max: number, step = 1): VNode {
    return h('label', [
      label,
      h('input', {
        attrs: { name, type: 'number', min, max, step },
        props: { value: String(choices[name]) },
        on: {
          change: (event: Event) => {
            const value = Number((event.target as HTMLInputElement).value);
            (choices as unknown as Record<string, number>)[name] = Math.min(max, Math.max(min, value));
          },
        },
      }),
    ]);
  }

  function render(): VNode {
    return h('div.page', [
      header(session?.username ?? null),
      h('main.lobby', [
        error ? h('p.error', { attrs: { role: 'alert' } }, error) : null,
        session
          ? h('section.card.play-computer', [
              h('h2', 'Play the computer'),
              numberInput('level', 'Level (0–20)', 0, 20),
              numberInput('searchTime', 'Thinking time (ms)', 100, 10000, 100),
              h('label', [
                'Your colour',
                h(
                  'select',
                  {
                    attrs: { name: 'colour' },
                    on: {
                      change: (event: Event) => {
                        choices.colour = (event.target as HTMLSelectElement).value as Choices['colour'];
                      },
                    },
                  },
                  ['white', 'black'].map((colour) =>
                    h('option', { attrs: { value: colour, selected: choices.colour === colour } }, colour),
                  ),
                ),
              ]),
              h('label', [
                'Time control',
                h(
                  'select',
                  {
                    attrs: { name: 'timeControl' },
                    on: {
                      change: (event: Event) => {
                        choices.timeControl = (event.target as HTMLSelectElement).value;
                      },
                    },
                  },
                  TIME_CONTROLS.map((control) =>
                    h(
                      'option',
                      { attrs: { value: control, selected: choices.timeControl === control } },
                      control || 'none',
                    ),
                  ),
                ),
              ]),
              h('button.start', { on: { click: () => void playComputer() } }, 'Play chess'),
              h(
                'button.challenge',
                {
                  on: {
                    click: () =>
                      void create({
                        game: 'chess',
                        seats: [{ type: 'human' }, { type: 'human' }],
                        options: chessOptions(choices.timeControl),
                      }),
                  },
                },
                'Open a chess game for another player',
              ),
            ])
          : h('section.card', [
              h('p', [h('a', { attrs: { href: '/account' } }, 'Sign up or sign in'), ' to play.']),
            ]),
        session ? duelCard() : null,
        challenges ? challenges.render() : null,
        h('section.card.open-battles', [
          h('h2', 'Waiting for a player'),
          open.length
            ? h(
                'ul',
                open.map((battle) =>
                  h('li', { attrs: { 'data-battle': battle.id } }, [
                    `${battle.game} · ${battle.players.length} seats · created ${new Date(battle.createdAt).toLocaleTimeString()}`,
                    session && !battle.players.some((p) => p.userId === session.userId)
                      ? h('button.join', { on: { click: () => void join(battle) } }, 'Join')
                      : h('a', { attrs: { href: `/game/${battle.id}` } }, 'Open'),
                  ]),
                ),
              )
            : h('p', 'No battle is waiting.'),
        ]),
        battleList('playing-now', 'Being played now', playing, 'Watch', 'game'),
        h('p.more', h('a', { attrs: { href: '/watch' } }, 'Every battle being played')),
        battleList('recent-results', 'Recent results', finished, 'Replay', 'replay'),
      ]),
    ]);
  }

  function battleList(
    kind: string,
    title: string,
    battles: Battle[],
    verb: string,
    page: 'game' | 'replay',
  ): VNode {
    return h(`section.card.${kind}`, [
      h('h2', title),
      battles.length
        ? h(
            'ul',
            battles.map((battle) =>
              h('li', [
                `${battle.game} · ${describeBattle(battle)} `,
                h('a', { attrs: { href: `/${page}/${battle.id}` } }, verb),
              ]),
            ),
          )
        : h('p', 'None yet.'),
    ]);
  }

  let challenges: ChallengesCard | null = null; // drawn once the page is mounted
  const redraw = mount(root, render);
  if (session) challenges = new ChallengesCard(redraw);
  const lists: [string, (battles: Battle[]) => void][] = [
    ['WAITING', (battles) => (open = battles)],
    ['ACTIVE', (battles) => (playing = battles)],
    ['FINISHED', (battles) => (finished = battles)],
  ];
  for (const [status, keep] of lists) {
    request<BattlePage>('GET', `/battles?status=${status}&limit=10`)
      .then((page) => {
        keep(page.battles);
        redraw();
      })
      .catch(() => undefined);
  }
}
