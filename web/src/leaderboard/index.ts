// The rankings of one game at one speed, best rating first, a page at a time. The speed
// and the page's offset are in the address (``?speed=&offset=``), so every page is a link.

import { failureText, request } from '../common/api';
import { currentSession } from '../common/session';
import { GAMES, type Leaderboard, type RankedPlayer } from '../common/types';
import { h, header, mount, type VNode } from '../common/view';

const PAGE_SIZE = 20;
/** The server's speeds: untimed (no time control) and lichess's split of the others. */
const SPEEDS = ['untimed', 'ultraBullet', 'bullet', 'blitz', 'rapid', 'classical', 'correspondence'];

export function leaderboardPage(root: Element, game: string): void {
  const session = currentSession();
  const query = new URLSearchParams(location.search);
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const speed = SPEEDS.includes(query.get('speed') ?? '') ? (query.get('speed') as string) : 'untimed';
  let board: Leaderboard | null = null;
  let error = '';

  async function load(): Promise<void> {
    try {
      const wanted = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset), speed });
      board = await request<Leaderboard>('GET', `/leaderboard/${encodeURIComponent(game)}?${wanted.toString()}`);
    } catch (exc) {
      error = failureText(exc);
    }
    redraw();
  }

  function row(player: RankedPlayer): VNode {
    const mine = player.userId === session?.userId;
    return h('tr', { class: { mine } }, [
      h('td.rank', String(player.rank)),
      h('th', { attrs: { scope: 'row' } }, h('a', { attrs: { href: `/profile/${player.userId}` } }, player.username)),
      h('td.rating', [
        String(player.rating),
        player.provisional ? h('abbr.provisional', { attrs: { title: 'provisional: too few games to be sure' } }, '?') : null,
      ]),
      h('td', String(player.played)),
      h('td', `${player.wins}/${player.losses}/${player.draws}`),
    ]);
  }

  function table(players: RankedPlayer[]): VNode {
    if (!players.length) return h('p', 'Nobody has finished a rated battle of this game yet.');
    const titles = ['Rank', 'Player', 'Rating', 'Games', 'W/L/D'];
    return h('div.table-scroll', [
      h('table.leaderboard', [
        h('thead', h('tr', titles.map((title) => h('th', { attrs: { scope: 'col' } }, title)))),
        h('tbody', players.map(row)),
      ]),
    ]);
  }

  function pager(): VNode {
    const here = `/leaderboard/${game}?speed=${speed}`;
    const previous = offset > 0 ? Math.max(0, offset - PAGE_SIZE) : null;
    const next = board?.nextOffset ?? null;
    return h('nav.pager', { attrs: { 'aria-label': 'Pages' } }, [
      previous === null ? null : h('a.previous', { attrs: { href: `${here}&offset=${previous}` } }, '← Previous'),
      next === null ? null : h('a.next', { attrs: { href: `${here}&offset=${next}` } }, 'Next →'),
    ]);
  }

  function tabs(): VNode {
    return h(
      'nav.tabs',
      { attrs: { 'aria-label': 'Games' } },
      GAMES.map((name) =>
        h('a', { class: { current: name === game }, attrs: { href: `/leaderboard/${name}`, 'aria-current': name === game ? 'page' : 'false' } }, name),
      ),
    );
  }

  function speeds(): VNode {
    return h(
      'nav.tabs.speeds',
      { attrs: { 'aria-label': 'Speeds' } },
      SPEEDS.map((name) =>
        h(
          'a',
          {
            class: { current: name === speed },
            attrs: { href: `/leaderboard/${game}?speed=${name}`, 'aria-current': name === speed ? 'page' : 'false' },
          },
          name,
        ),
      ),
    );
  }

  function render(): VNode {
    return h('div.page', [
      header(session?.username ?? null),
      h('main.rankings', [
        h('section.card', [
          h('h1', `Leaderboard · ${game}`),
          tabs(),
          speeds(),
          error ? h('p.error', { attrs: { role: 'alert' } }, error) : null,
          board ? table(board.players) : error ? null : h('p', 'Loading…'),
          pager(),
        ]),
      ]),
    ]);
  }

  const redraw = mount(root, render);
  void load();
}
