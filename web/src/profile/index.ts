// A player's public profile: their name, rating and record in each game, and their
// finished battles, newest first, each a link to its replay.

import { failureText, request } from '../common/api';
import { currentSession } from '../common/session';
import { GAMES, type Battle, type BattlePage, type PublicUser, type UserStats } from '../common/types';
import { h, header, mount, type VNode } from '../common/view';

const PAGE_SIZE = 20;

export function profilePage(root: Element, userId: string): void {
  const session = currentSession();
  let user: PublicUser | null = null;
  let stats: UserStats | null = null;
  let battles: Battle[] = [];
  let nextCursor: string | null = null;
  let error = '';

  async function load(): Promise<void> {
    try {
      [user, stats] = await Promise.all([
        request<PublicUser>('GET', `/users/${userId}`),
        request<UserStats>('GET', `/users/${userId}/stats`),
      ]);
      await more();
    } catch (exc) {
      error = failureText(exc);
    }
    redraw();
  }

  /** The next page of their finished battles. */
  async function more(): Promise<void> {
    const query = new URLSearchParams({ userId, status: 'FINISHED', limit: String(PAGE_SIZE) });
    if (nextCursor) query.set('cursor', nextCursor);
    try {
      const page = await request<BattlePage>('GET', `/battles?${query.toString()}`);
      battles = [...battles, ...page.battles];
      nextCursor = page.nextCursor;
    } catch (exc) {
      error = failureText(exc);
    }
    redraw();
  }

  function ratings(): VNode {
    const cell = (text: string): VNode => h('td', text);
    const rows = GAMES.map((game) => {
      const record = stats?.games[game];
      if (!record) return h('tr', [h('th', { attrs: { scope: 'row' } }, game), h('td', { attrs: { colspan: 5 } }, '—')]);
      return h(`tr.${game}`, [
        h('th', { attrs: { scope: 'row' } }, h('a', { attrs: { href: `/leaderboard/${game}` } }, game)),
        h('td.rating', [
          String(record.rating),
          record.provisional ? h('abbr.provisional', { attrs: { title: 'provisional: too few games to be sure' } }, '?') : null,
        ]),
        cell(String(record.played)),
        cell(String(record.wins)),
        cell(String(record.losses)),
        cell(String(record.draws)),
      ]);
    });
    const titles = ['Game', 'Rating', 'Played', 'Won', 'Lost', 'Drawn'];
    return h('div.table-scroll', [
      h('table.ratings', [
        h('thead', h('tr', titles.map((title) => h('th', { attrs: { scope: 'col' } }, title)))),
        h('tbody', rows),
      ]),
    ]);
  }

  /** How the battle ended for this player. */
  function outcome(battle: Battle): string {
    const result = battle.state.result;
    if (!result) return battle.status.toLowerCase();
    if (!result.winners.length) return `draw (${result.reason})`;
    const mine = battle.players.filter((player) => player.userId === userId).map((player) => player.id);
    const won = result.winners.some((winner) => mine.includes(winner));
    return `${won ? 'won' : 'lost'} (${result.reason})`;
  }

  function battleItem(battle: Battle): VNode {
    const when = new Date(battle.createdAt).toLocaleString();
    return h('li', [
      h('a', { attrs: { href: `/replay/${battle.id}` } }, `${battle.game} · ${outcome(battle)}`),
      ' ',
      h('span.when', when),
      ' · ',
      h('a', { attrs: { href: `/game/${battle.id}` } }, 'battle page'),
    ]);
  }

  function render(): VNode {
    const name = user ? (user.displayName ?? user.username) : '';
    return h('div.page', [
      header(session?.username ?? null),
      h('main.profile', [
        error ? h('p.error', { attrs: { role: 'alert' } }, error) : null,
        user ? null : h('p', error ? '' : 'Loading…'),
        user
          ? h('section.card', [
              h('h1.username', name),
              user.displayName ? h('p', `@${user.username}`) : null,
              stats
                ? h('p.total', `${stats.total.played} played · ${stats.total.wins} won · ${stats.total.losses} lost · ${stats.total.draws} drawn`)
                : null,
              ratings(),
            ])
          : null,
        user
          ? h('section.card.recent', [
              h('h2', 'Finished battles'),
              battles.length ? h('ul.battles', battles.map(battleItem)) : h('p', 'None yet.'),
              nextCursor ? h('button.more', { on: { click: () => void more() } }, 'Older battles') : null,
            ])
          : null,
      ]),
    ]);
  }

  const redraw = mount(root, render);
  void load();
}
