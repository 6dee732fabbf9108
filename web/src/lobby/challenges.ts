// Challenges, through the lichess face as bots use it: challenge a person or a bot by
// name (to play yourself, or to have gambit's engine play for you), and answer the
// challenges sent to you. An accepted challenge's game has the challenge's id.

import { failureText, lichessRequest, request } from '../common/api';
import { h, type VNode } from '../common/view';

const POLL_MS = 3000;
const TIME_CONTROLS = ['1+0', '3+2', '5+3', '10+5', '15+10', ''];

interface ChallengeUser {
  name: string;
  title?: string | null;
}

interface Challenge {
  id: string;
  challenger: ChallengeUser;
  destUser: ChallengeUser;
  timeControl: { show?: string; type: string };
  finalColor: string;
}

interface Listed {
  in: Challenge[];
  out: Challenge[];
}

export class ChallengesCard {
  private listed: Listed = { in: [], out: [] };
  private name = '';
  private timeControl = '3+2';
  private engine = ''; // '' you play; else gambit's engine at lichess's level 1-8
  private colour = 'random';
  private error = '';

  constructor(private readonly redraw: () => void) {
    void this.refresh();
    setInterval(() => void this.refresh(), POLL_MS);
  }

  private async refresh(): Promise<void> {
    try {
      this.listed = await lichessRequest<Listed>('GET', '/api/challenge');
    } catch {
      return; // shown again on the next poll; a lost server is said elsewhere
    }
    this.redraw();
  }

  private async send(): Promise<void> {
    const body: Record<string, string> = { color: this.colour };
    if (this.timeControl) {
      const [minutes, increment] = this.timeControl.split('+').map(Number);
      body['clock.limit'] = String(minutes * 60);
      body['clock.increment'] = String(increment);
    }
    if (this.engine) body.engine = this.engine;
    try {
      const sent = await lichessRequest<Challenge>('POST', `/api/challenge/${encodeURIComponent(this.name)}`, body);
      this.error = '';
      await this.refresh();
      void this.awaitGame(sent.id);
    } catch (exc) {
      this.error = failureText(exc);
      this.redraw();
    }
  }

  /** Go to the game as soon as the challenge is accepted (the game takes its id); stop
   * waiting once it has left the list without a game (declined or canceled). */
  private async awaitGame(id: string): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      try {
        await request('GET', `/battles/${id}`);
        location.assign(`/game/${id}`);
        return;
      } catch {
        if (!this.listed.out.some((challenge) => challenge.id === id)) return;
      }
    }
  }

  private async answer(challenge: Challenge, verb: 'accept' | 'decline' | 'cancel'): Promise<void> {
    try {
      await lichessRequest('POST', `/api/challenge/${challenge.id}/${verb}`);
      if (verb === 'accept') location.assign(`/game/${challenge.id}`);
    } catch (exc) {
      this.error = failureText(exc);
    }
    await this.refresh();
  }

  render(): VNode {
    const select = (name: string, value: string, options: [string, string][], keep: (v: string) => void): VNode =>
      h(
        'select',
        { attrs: { name }, on: { change: (event: Event) => keep((event.target as HTMLSelectElement).value) } },
        options.map(([key, label]) => h('option', { attrs: { value: key, selected: key === value } }, label)),
      );
    return h('section.card.challenges', [
      h('h2', 'Challenge a player or a bot'),
      this.error ? h('p.error', { attrs: { role: 'alert' } }, this.error) : null,
      h(
        'form.challenge-form',
        {
          on: {
            submit: (event: Event) => {
              event.preventDefault();
              void this.send();
            },
          },
        },
        [
          h('label', [
            'Username',
            h('input', {
              attrs: { name: 'opponent', autocomplete: 'off', required: true },
              on: { input: (event: Event) => (this.name = (event.target as HTMLInputElement).value) },
            }),
          ]),
          h('label', [
            'Time control',
            select('challengeClock', this.timeControl, TIME_CONTROLS.map((c) => [c, c || 'none']), (v) => (this.timeControl = v)),
          ]),
          h('label', [
            'Played by',
            select(
              'engine',
              this.engine,
              [['', 'me'], ...[1, 2, 3, 4, 5, 6, 7, 8].map((level): [string, string] => [String(level), `Stockfish level ${level}`])],
              (v) => (this.engine = v),
            ),
          ]),
          h('label', [
            'Colour',
            select('challengeColour', this.colour, [['random', 'random'], ['white', 'white'], ['black', 'black']], (v) => (this.colour = v)),
          ]),
          h('button.send-challenge', { attrs: { type: 'submit' } }, 'Challenge'),
        ],
      ),
      this.listed.in.length || this.listed.out.length
        ? h('ul.challenge-list', [
            ...this.listed.in.map((challenge) =>
              h('li.incoming', { attrs: { 'data-challenge': challenge.id } }, [
                `${label(challenge.challenger)} challenges you · ${clock(challenge)} `,
                h('button.accept', { on: { click: () => void this.answer(challenge, 'accept') } }, 'Accept'),
                h('button.decline', { on: { click: () => void this.answer(challenge, 'decline') } }, 'Decline'),
              ]),
            ),
            ...this.listed.out.map((challenge) =>
              h('li.outgoing', { attrs: { 'data-challenge': challenge.id } }, [
                `${label(challenge.challenger)} → ${label(challenge.destUser)} · ${clock(challenge)}: waiting `,
                h('button.cancel', { on: { click: () => void this.answer(challenge, 'cancel') } }, 'Cancel'),
              ]),
            ),
          ])
        : null,
    ]);
  }
}

function label(user: ChallengeUser): string {
  return user.title ? `${user.title} ${user.name}` : user.name;
}

function clock(challenge: Challenge): string {
  return challenge.timeControl.show ?? (challenge.timeControl.type === 'unlimited' ? 'no clock' : challenge.timeControl.type);
}
