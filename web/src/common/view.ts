// Pages draw with snabbdom, as lichess does: a render function of the page's state,
// patched into the page whenever the state changes.

import {
  attributesModule,
  classModule,
  eventListenersModule,
  init,
  propsModule,
  type VNode,
  h,
} from 'snabbdom';

import { currentSession } from './session';

export { h, type VNode };

const patch = init([classModule, propsModule, attributesModule, eventListenersModule]);

/** Mount ``render`` on ``element``; the returned function draws the page again. */
export function mount(element: Element, render: () => VNode): () => void {
  let vnode: Element | VNode = element;
  const redraw = (): void => {
    vnode = patch(vnode, render());
  };
  redraw();
  return redraw;
}

/** The top bar every page shares: the way home, the rankings, the tournaments, and who is signed in (a
 * link to their profile). */
export function header(username: string | null): VNode {
  const userId = currentSession()?.userId;
  return h('header.top', [
    h('a.brand', { attrs: { href: '/' } }, 'gambit'),
    h('nav', [
      h('a', { attrs: { href: '/watch' } }, 'Watch'),
      h('a', { attrs: { href: '/leaderboard/chess' } }, 'Leaderboard'),
      h('a', { attrs: { href: '/tournaments' } }, 'Tournaments'),
      h('a', { attrs: { href: '/docs' } }, 'API'),
      ...(username && userId
        ? [
            h('a.me', { attrs: { href: `/profile/${userId}` } }, username),
            h('a', { attrs: { href: '/account' } }, 'Account'),
          ]
        : [h('a', { attrs: { href: '/account' } }, 'Sign in')]),
    ]),
  ]);
}
