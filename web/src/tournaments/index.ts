// Tournaments and matches: the list by status (in the address, `?status=`, so every tab is
// a link), joining an open one, and for a signed-in organiser the form that creates one.

import { failureText, request } from '../common/api';
import { currentSession } from '../common/session';
import {
  GAMES,
  TOURNAMENT_FORMATS,
  TOURNAMENT_STATUSES,
  type EngineRating,
  type GameName,
  type PublicUser,
  type Tournament,
  type TournamentFormat,
  type TournamentPage,
  type TournamentSummary,
} from '../common/types';
import { h, header, mount, type VNode } from '../common/view';
import { formatName, progressText } from '../tournament/format';
import {
  LEVELS,
  SEARCH_TIME,
  TIME_CONTROLS,
  buildTournament,
  emptyForm,
  calibrationText,
  engineFor,
  formParticipantText,
  isUserId,
  type OpeningSource,
  type TournamentForm,
} from './form';

const PAGE_SIZE = 30;

type NumberField = {
  [K in keyof TournamentForm]: TournamentForm[K] extends number ? K : never;
}[keyof TournamentForm];

export function tournamentsPage(root: Element): void {
  const session = currentSession();
  const wanted = new URLSearchParams(location.search).get('status') ?? '';
  const status = (TOURNAMENT_STATUSES as readonly string[]).includes(wanted) ? wanted : '';
  const form = emptyForm();
  const engine = { level: 5, searchTime: 100 };
  let ratings: EngineRating[] = [];
  let tournaments: TournamentSummary[] = [];
  let nextOffset: number | null = null;
  let loaded = false;
  let error = '';
  let formErrors: string[] = [];
  let userQuery = '';
  let busy = false;

  async function load(more = false): Promise<void> {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (status) query.set('status', status);
    if (more && nextOffset !== null) query.set('offset', String(nextOffset));
    try {
      const page = await request<TournamentPage>('GET', `/tournaments?${query.toString()}`);
      tournaments = more ? [...tournaments, ...page.tournaments] : page.tournaments;
      nextOffset = page.nextOffset;
      error = '';
    } catch (exc) {
      error = failureText(exc);
    }
    loaded = true;
    redraw();
  }

  async function loadEngines(): Promise<void> {
    try {
      ratings = (await request<{ engines: EngineRating[] }>('GET', '/engines')).engines;
    } catch (exc) {
      formErrors = [`The built-in engines could not be read: ${failureText(exc)}`];
    }
    redraw();
  }

  async function join(tournament: TournamentSummary): Promise<void> {
    try {
      await request<Tournament>('POST', `/tournaments/${tournament.id}/join`);
      location.assign(`/tournament/${tournament.id}`);
    } catch (exc) {
      error = failureText(exc);
      redraw();
    }
  }

  // -- the list -----------------------------------------------------------------------

  function tabs(): VNode {
    const entries = [['', 'all'], ...TOURNAMENT_STATUSES.map((name) => [name, name])];
    return h(
      'nav.tabs.statuses',
      { attrs: { 'aria-label': 'Status' } },
      entries.map(([value, label]) =>
        h(
          'a',
          {
            class: { current: value === status },
            attrs: { href: value ? `/tournaments?status=${value}` : '/tournaments', 'aria-current': value === status ? 'page' : 'false' },
          },
          label,
        ),
      ),
    );
  }

  function row(tournament: TournamentSummary): VNode {
    return h('tr', { attrs: { 'data-tournament': tournament.id } }, [
      h('th', { attrs: { scope: 'row' } }, h('a', { attrs: { href: `/tournament/${tournament.id}` } }, tournament.name)),
      h('td', tournament.game),
      h('td', formatName(tournament.format)),
      h(`td.status.${tournament.status}`, tournament.status),
      h('td.participants', String(tournament.participants)),
      h('td.progress', progressText(tournament.played, tournament.total)),
      h(
        'td',
        session && tournament.status === 'open'
          ? h('button.join', { on: { click: () => void join(tournament) } }, 'Join')
          : null,
      ),
    ]);
  }

  function list(): VNode {
    const titles = ['Name', 'Game', 'Format', 'Status', 'Players', 'Played', ''];
    return h('section.card.tournament-list', [
      h('h1', 'Tournaments'),
      tabs(),
      error ? h('p.error', { attrs: { role: 'alert' } }, error) : null,
      !loaded
        ? h('p', 'Loading…')
        : tournaments.length
          ? h('div.table-scroll', [
              h('table.tournaments', [
                h('thead', h('tr', titles.map((title) => h('th', { attrs: { scope: 'col' } }, title)))),
                h('tbody', tournaments.map(row)),
              ]),
            ])
          : h('p', status ? `No ${status} tournament.` : 'No tournament yet.'),
      nextOffset !== null ? h('button.more', { on: { click: () => void load(true) } }, 'More') : null,
    ]);
  }

  // -- the create form ----------------------------------------------------------------

  function numberInput(name: NumberField, label: string, min: number, max: number, step: number | 'any' = 1): VNode {
    return h('label', [
      label,
      h('input', {
        attrs: { name, type: 'number', min, max, step },
        props: { value: String(form[name]) },
        on: {
          input: (event: Event) => {
            form[name] = Number((event.target as HTMLInputElement).value);
          },
        },
      }),
    ]);
  }

  function select<T extends string>(name: string, label: string, value: T, options: readonly (readonly [T, string])[], change: (value: T) => void): VNode {
    return h('label', [
      label,
      h(
        'select',
        {
          attrs: { name },
          on: {
            change: (event: Event) => {
              change((event.target as HTMLSelectElement).value as T);
              redraw();
            },
          },
        },
        options.map(([option, text]) => h('option', { attrs: { value: option }, props: { selected: option === value } }, text)),
      ),
    ]);
  }

  /** Find a user by name (or take a pasted user id) and add them. */
  async function addUser(): Promise<void> {
    const text = userQuery.trim();
    if (!text) return;
    try {
      const user = isUserId(text)
        ? await request<PublicUser>('GET', `/users/${text.toLowerCase()}`)
        : await request<PublicUser>('GET', `/users?${new URLSearchParams({ username: text }).toString()}`);
      addParticipant(user.userId, user.username);
      userQuery = '';
      formErrors = [];
    } catch {
      formErrors = [`No user named ${text}.`];
    }
    redraw();
  }

  function addParticipant(userId: string, name: string): void {
    if (form.participants.some((p) => p.kind === 'user' && p.userId === userId)) {
      formErrors = [`${name} is already in the list.`];
      return;
    }
    form.participants.push({ kind: 'user', userId, name });
  }

  function addEngine(): void {
    const choice = engineFor(form.game, ratings);
    if (!choice) return;
    const level = Math.round(engine.level);
    const searchTime = Math.round(engine.searchTime);
    if (level < LEVELS.min || level > LEVELS.max || !(searchTime >= SEARCH_TIME.min && searchTime <= SEARCH_TIME.max)) {
      formErrors = [`Engine levels go from 0 to 20, thinking times from ${SEARCH_TIME.min} to ${SEARCH_TIME.max} ms.`];
    } else {
      form.participants.push({ kind: 'engine', ...choice, level, searchTime });
      formErrors = [];
    }
    redraw();
  }

  function participantsField(): VNode {
    return h('fieldset.participants', [
      h('legend', 'Participants'),
      form.participants.length
        ? h(
            'ol.chosen',
            form.participants.map((participant, index) =>
              h('li', [
                h('span.who', formParticipantText(participant)),
                h(
                  'button.remove',
                  {
                    attrs: { type: 'button', 'aria-label': `Remove ${formParticipantText(participant)}` },
                    on: {
                      click: () => {
                        form.participants.splice(index, 1);
                        redraw();
                      },
                    },
                  },
                  'Remove',
                ),
              ]),
            ),
          )
        : h('p', 'Nobody yet.'),
      form.format === 'gauntlet' ? h('p.hint', 'The first participant plays everyone else.') : null,
      h('div.add-user', [
        h('label', [
          'User (name or id)',
          h('input', {
            attrs: { name: 'user', autocomplete: 'off' },
            props: { value: userQuery },
            on: {
              input: (event: Event) => {
                userQuery = (event.target as HTMLInputElement).value;
              },
              keydown: (event: KeyboardEvent) => {
                if (event.key === 'Enter') {
                  event.preventDefault();
                  void addUser();
                }
              },
            },
          }),
        ]),
        h('button.add-user', { attrs: { type: 'button' }, on: { click: () => void addUser() } }, 'Add user'),
        session
          ? h(
              'button.add-me',
              {
                attrs: { type: 'button' },
                on: {
                  click: () => {
                    formErrors = [];
                    addParticipant(session.userId, session.username);
                    redraw();
                  },
                },
              },
              'Add me',
            )
          : null,
      ]),
      engineField(),
    ]);
  }

  function engineField(): VNode | null {
    const choice = engineFor(form.game, ratings);
    if (!choice) return null;
    return h('div.add-engine', [
      h('label', [
        `${choice.title} level (0–20)`,
        h('input', {
          attrs: { name: 'engineLevel', type: 'number', min: LEVELS.min, max: LEVELS.max },
          props: { value: String(engine.level) },
          on: { input: (event: Event) => (engine.level = Number((event.target as HTMLInputElement).value)) },
        }),
      ]),
      h('label', [
        'Thinking time (ms)',
        h('input', {
          attrs: { name: 'engineSearchTime', type: 'number', min: SEARCH_TIME.min, max: SEARCH_TIME.max, step: 10 },
          props: { value: String(engine.searchTime) },
          on: { input: (event: Event) => (engine.searchTime = Number((event.target as HTMLInputElement).value)) },
        }),
      ]),
      h('button.add-engine', { attrs: { type: 'button' }, on: { click: addEngine } }, 'Add engine'),
      h('p.hint.calibration', calibrationText(choice, ratings)),
    ]);
  }

  function openingsField(): VNode | null {
    if (form.game !== 'chess') return h('p.hint', 'Duels start from seeded positions, mirrored between the two games of a pair.');
    const sources: [OpeningSource, string][] = [
      ['builtin', 'built-in book'],
      ['epd', 'paste EPD'],
      ['pgn', 'paste PGN'],
    ];
    return h('div.openings', [
      select('openingSource', 'Openings', form.openingSource, sources, (value) => (form.openingSource = value)),
      form.openingSource === 'builtin'
        ? null
        : h('label', [
            form.openingSource === 'epd' ? 'EPD lines, one position a line' : 'PGN games, each an opening line',
            h('textarea', {
              attrs: { name: 'openingText', rows: 6 },
              props: { value: form.openingText },
              on: { input: (event: Event) => (form.openingText = (event.target as HTMLTextAreaElement).value) },
            }),
          ]),
    ]);
  }

  function adjudicationField(): VNode {
    return h('fieldset.adjudication', [
      h('legend', 'Adjudication'),
      h('label.check', [
        h('input', {
          attrs: { name: 'adjudicate', type: 'checkbox' },
          props: { checked: form.adjudicate },
          on: {
            change: (event: Event) => {
              form.adjudicate = (event.target as HTMLInputElement).checked;
              redraw();
            },
          },
        }),
        form.game === 'chess' ? 'End decided games early from the engines’ scores' : 'Limit the number of rounds',
      ]),
      !form.adjudicate
        ? null
        : form.game === 'chess'
          ? h('div.adjudication-rules', [
              numberInput('resignScore', 'Resign beyond (centipawns)', 100, 10_000),
              numberInput('resignMoves', '… for moves', 1, 100),
              numberInput('drawScore', 'Draw within (centipawns)', 0, 1000),
              numberInput('drawMoves', '… for moves', 1, 100),
              numberInput('drawAfter', '… after move', 0, 500),
            ])
          : numberInput('maxRounds', 'Round limit', 1, 100),
    ]);
  }

  function sprtField(): VNode {
    return h('fieldset.sprt', [
      h('legend', 'SPRT'),
      h('p.hint', 'The match stops as soon as the test decides between elo0 (H0) and elo1 (H1).'),
      numberInput('elo0', 'elo0', -1000, 1000, 'any'),
      numberInput('elo1', 'elo1', -1000, 1000, 'any'),
      numberInput('alpha', 'alpha', 0.001, 0.5, 'any'),
      numberInput('beta', 'beta', 0.001, 0.5, 'any'),
    ]);
  }

  async function create(event: Event): Promise<void> {
    event.preventDefault();
    const built = buildTournament(form);
    formErrors = built.errors;
    if (!built.body || busy) {
      redraw();
      return;
    }
    busy = true;
    redraw();
    try {
      const tournament = await request<Tournament>('POST', '/tournaments', built.body);
      location.assign(`/tournament/${tournament.id}`);
    } catch (exc) {
      formErrors = [failureText(exc)];
      busy = false;
      redraw();
    }
  }

  function createForm(): VNode {
    const formats = TOURNAMENT_FORMATS.map((format) => [format, formatName(format)] as const);
    return h('section.card.create-tournament', [
      h('h2', 'New tournament'),
      h('form.create', { on: { submit: (event: Event) => void create(event) } }, [
        h('label', [
          'Name',
          h('input', {
            attrs: { name: 'name', maxlength: 100, required: true },
            props: { value: form.name },
            on: { input: (event: Event) => (form.name = (event.target as HTMLInputElement).value) },
          }),
        ]),
        select<GameName>('game', 'Game', form.game, GAMES.map((game) => [game, game] as const), (game) => {
          form.game = game;
          // Engines play one game only: a change of game drops the other game's engines.
          form.participants = form.participants.filter((p) => p.kind === 'user' || p.game === game);
        }),
        select<TournamentFormat>('format', 'Format', form.format, formats, (format) => (form.format = format)),
        form.format === 'swiss' ? numberInput('rounds', 'Rounds', 1, 50) : null,
        participantsField(),
        numberInput('gamesPerPairing', form.format === 'match' ? 'Games at most' : 'Games per pairing', 2, 1000, 2),
        form.game === 'chess'
          ? select(
              'timeControl',
              'Time control',
              form.timeControl,
              TIME_CONTROLS.map((control) => [control, control || 'none'] as const),
              (control) => (form.timeControl = control),
            )
          : null,
        openingsField(),
        numberInput('concurrency', 'Games at once', 1, 32),
        adjudicationField(),
        form.format === 'match' ? sprtField() : null,
        formErrors.length
          ? h('ul.error.form-errors', { attrs: { role: 'alert' } }, formErrors.map((message) => h('li', message)))
          : null,
        h('button.create', { attrs: { type: 'submit', disabled: busy } }, busy ? 'Creating…' : 'Create'),
      ]),
    ]);
  }

  function render(): VNode {
    return h('div.page', [
      header(session?.username ?? null),
      h('main.tournaments', [
        list(),
        session
          ? createForm()
          : h('section.card', [h('p', [h('a', { attrs: { href: '/account' } }, 'Sign up or sign in'), ' to organise a tournament.'])]),
      ]),
    ]);
  }

  const redraw = mount(root, render);
  void load();
  void loadEngines();
}
