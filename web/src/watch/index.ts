// Every battle being played, newest first, kept fresh: pick one to watch it live.

import { failureText, request } from '../common/api';
import { describeBattle } from '../common/players';
import { currentSession } from '../common/session';
import type { Battle, BattlePage } from '../common/types';
import { h, header, mount, type VNode } from '../common/view';

const PAGE_SIZE = 30;
const REFRESH_MS = 5000;

export function watchPage(root: Element): void {
  const session = currentSession();
  let battles: Battle[] = [];
  let nextCursor: string | null = null;
  let pages = 1;
  let error = '';

  /** The newest battles in play; with ``more``, the next page added to those shown. */
  async function load(more = false): Promise<void> {
    const query = new URLSearchParams({ status: 'ACTIVE', limit: String(PAGE_SIZE) });
    if (more && nextCursor) query.set('cursor', nextCursor);
    try {
      const page = await request<BattlePage>('GET', `/battles?${query.toString()}`);
      battles = more ? [...battles, ...page.battles] : page.battles;
      nextCursor = page.nextCursor;
      error = '';
    } catch (exc) {
      error = failureText(exc);
    }
    redraw();
  }

  function entry(battle: Battle): VNode {
    const state = battle.state;
    const progress = battle.game === 'chess' ? `${state.moves?.length ?? 0} moves` : `round ${state.round}`;
    return h('li', { attrs: { 'data-battle': battle.id } }, [
      h('a', { attrs: { href: `/game/${battle.id}` } }, `${battle.game} · ${describeBattle(battle)}`),
      h('span.progress', ` · ${progress}`),
    ]);
  }

  function render(): VNode {
    return h('div.page', [
      header(session?.username ?? null),
      h('main.watch', [
        h('h1', 'Being played now'),
        error ? h('p.error', { attrs: { role: 'alert' } }, error) : null,
        battles.length ? h('ul.live-battles', battles.map(entry)) : h('p', 'No battle is being played.'),
        nextCursor
          ? h('button.more', { on: { click: () => void load(true).then(() => (pages += 1)) } }, 'More')
          : null,
      ]),
    ]);
  }

  const redraw = mount(root, render);
  void load();
  // Fresh while only the first page is shown; a reader paging on keeps what they read.
  setInterval(() => {
    if (pages === 1) void load();
  }, REFRESH_MS);
}
