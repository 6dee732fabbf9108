// Sign up, sign in and out; personal API tokens for bots and scripts.

import { failureText, request, signIn, signOut, signUp } from '../common/api';
import { currentSession } from '../common/session';
import type { ApiToken, NewApiToken } from '../common/types';
import { h, header, mount, type VNode } from '../common/view';

// The lichess scopes a gambit token is useful with (the server knows all of lichess's).
const SCOPES: [string, string][] = [
  ['bot:play', 'Play as a bot (Bot API)'],
  ['board:play', 'Play with the Board API'],
  ['challenge:read', 'Read incoming challenges'],
  ['challenge:write', 'Create, accept, decline challenges'],
  ['preference:read', 'Read your preferences'],
  ['email:read', 'Read your email address'],
  ['tournament:write', 'Create tournaments'],
];

export function accountPage(root: Element): void {
  let error = '';
  let busy = false;
  let tokens: ApiToken[] = [];
  let made: NewApiToken | null = null; // shown once, until the page is left

  async function loadTokens(): Promise<void> {
    try {
      tokens = (await request<{ tokens: ApiToken[] }>('GET', '/account/tokens')).tokens;
    } catch (exc) {
      error = failureText(exc);
    }
    redraw();
  }

  async function createToken(form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    const description = String(data.get('description') ?? '').trim();
    const scopes = data.getAll('scope').map(String);
    error = '';
    try {
      made = await request<NewApiToken>('POST', '/account/tokens', { description, scopes });
      form.reset();
      await loadTokens();
    } catch (exc) {
      error = failureText(exc);
      redraw();
    }
  }

  async function revokeToken(token: ApiToken): Promise<void> {
    error = '';
    try {
      await request<void>('DELETE', `/account/tokens/${token.id}`);
      if (made?.id === token.id) made = null;
      await loadTokens();
    } catch (exc) {
      error = failureText(exc);
      redraw();
    }
  }

  async function submit(form: HTMLFormElement, newcomer: boolean): Promise<void> {
    const data = new FormData(form);
    const name = String(data.get('username') ?? '');
    const password = String(data.get('password') ?? '');
    busy = true;
    error = '';
    redraw();
    try {
      await (newcomer ? signUp(name, password) : signIn(name, password));
      location.assign('/');
    } catch (exc) {
      error = failureText(exc);
      busy = false;
      redraw();
    }
  }

  function form(newcomer: boolean): VNode {
    const label = newcomer ? 'Sign up' : 'Sign in';
    return h(
      `form.card.${newcomer ? 'sign-up' : 'sign-in'}`,
      {
        on: {
          submit: (event: Event) => {
            event.preventDefault();
            void submit(event.target as HTMLFormElement, newcomer);
          },
        },
      },
      [
        h('h2', label),
        h('label', [
          newcomer ? 'Username (letters, digits, _)' : 'Username or email',
          h('input', { attrs: { name: 'username', required: true, autocomplete: 'username' } }),
        ]),
        h('label', [
          newcomer ? 'Password (8+ characters, a letter and a digit)' : 'Password',
          h('input', {
            attrs: {
              name: 'password',
              type: 'password',
              required: true,
              autocomplete: newcomer ? 'new-password' : 'current-password',
            },
          }),
        ]),
        h('button', { attrs: { type: 'submit', disabled: busy } }, label),
      ],
    );
  }

  function newToken(): VNode {
    return h('section.card.new-token', [
      h('p', [
        'Your new token — copy it now, it will not be shown again: ',
        h('code.token', made?.token ?? ''),
      ]),
      h('p', 'Send it as Authorization: Bearer <token>, e.g. as lichess-bot’s or berserk’s token.'),
    ]);
  }

  function tokenRow(token: ApiToken): VNode {
    return h('tr', [
      h('td', token.description),
      h('td', token.scopes.join(', ') || '—'),
      h('td', token.createdAt.slice(0, 10)),
      h('td', token.lastUsedAt ? token.lastUsedAt.slice(0, 16).replace('T', ' ') : 'never'),
      h('td', [
        h(
          'button.revoke',
          {
            attrs: { type: 'button', 'aria-label': `Revoke ${token.description}` },
            on: { click: () => void revokeToken(token) },
          },
          'Revoke',
        ),
      ]),
    ]);
  }

  function tokensSection(): VNode {
    return h('section.card.tokens', [
      h('h2', 'API tokens'),
      h('p', 'Tokens let bots and scripts act as you, within the scopes you give them.'),
      made ? newToken() : null,
      h(
        'form.create-token',
        {
          on: {
            submit: (event: Event) => {
              event.preventDefault();
              void createToken(event.target as HTMLFormElement);
            },
          },
        },
        [
          h('label', [
            'Description',
            h('input', { attrs: { name: 'description', required: true, maxlength: 100 } }),
          ]),
          h('fieldset.scopes', [
            h('legend', 'Scopes'),
            ...SCOPES.map(([scope, text]) =>
              h('label.scope', [
                h('input', { attrs: { type: 'checkbox', name: 'scope', value: scope } }),
                ` ${text} (${scope})`,
              ]),
            ),
          ]),
          h('button', { attrs: { type: 'submit' } }, 'Create token'),
        ],
      ),
      tokens.length
        ? h('div.table-scroll', [
            h('table.tokens', [
              h('thead', [
                h(
                  'tr',
                  ['Description', 'Scopes', 'Created', 'Last used', ''].map((t) => h('th', t)),
                ),
              ]),
              h('tbody', tokens.map(tokenRow)),
            ]),
          ])
        : h('p', 'No tokens yet.'),
    ]);
  }

  function render(): VNode {
    const session = currentSession();
    return h('div.page', [
      header(session?.username ?? null),
      h('main.account', [
        error ? h('p.error', { attrs: { role: 'alert' } }, error) : null,
        session
          ? h('section.card', [
              h('p', `Signed in as ${session.username}.`),
              h(
                'button.sign-out',
                { on: { click: () => void signOut().then(() => location.assign('/')) } },
                'Sign out',
              ),
            ])
          : h('div.forms', [form(true), form(false)]),
        session ? tokensSection() : null,
      ]),
    ]);
  }

  const redraw = mount(root, render);
  if (currentSession()) void loadTokens();
}
