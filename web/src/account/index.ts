// Sign up, sign in and out.

import { failureText, signIn, signOut, signUp } from '../common/api';
import { currentSession } from '../common/session';
import { h, header, mount, type VNode } from '../common/view';

export function accountPage(root: Element): void {
  let error = '';
  let busy = false;

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
      ]),
    ]);
  }

  const redraw = mount(root, render);
}
