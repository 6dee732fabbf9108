// The duel's face: the grid in SVG, the fighters with their bars and effects, your legal
// actions as buttons and clickable tiles and targets, the action log and who is thinking.
// The game page owns the battle and the socket; this module only draws and asks to act.

import type { ServerEvent } from '../common/socket';
import type { Action, Battle, Player } from '../common/types';
import { h, type VNode } from '../common/view';

const DEFAULT_SIZE = 7; // the API does not tell a battle's options: see boardSize
const TILE = 40;
const SEAT_COLOURS = ['#1f5fa8', '#a11d1d', '#2e6b30', '#6b3a91'];
const MAX_HEALTH = 100;
const MAX_ENERGY = 10;
const TARGETED = ['attack', 'bolt', 'poison', 'stun'];
const VERBS: Record<string, string> = {
  attack: 'attacks',
  bolt: 'bolts',
  poison: 'poisons',
  stun: 'stuns',
  shield: 'raises a shield',
  heal: 'heals',
  rest: 'rests',
  forfeit: 'forfeits',
  timeout: 'runs out of time',
};

interface Position {
  x: number;
  y: number;
}

interface StatusEffect {
  type: string;
  turnsLeft: number;
}

interface Fighter {
  id: string;
  seat: number;
  health: number;
  energy: number;
  status: StatusEffect[];
  position: Position;
}

interface LogEntry {
  seq: number;
  playerId: string;
  action: Action;
}

/** One duel's view; `act` posts an action, `redraw` patches the page after a local change. */
export class DuelView {
  private readonly log = new Map<number, LogEntry>();
  private thinking: Record<string, unknown> | null = null;
  private chosenTarget: string | null = null;

  constructor(
    private readonly act: (action: Action) => void,
    private readonly redraw: () => void,
  ) {}

  /** A fresh copy of the battle: its last action joins the log (the socket may have missed it). */
  loaded(battle: Battle): void {
    const last = battle.state.lastAction;
    if (last) this.remember(last);
    if (!battle.legalActions) this.chosenTarget = null;
  }

  /** A socket event of this battle; true when it changed what is drawn. */
  hear(event: ServerEvent): boolean {
    const data = event.data;
    if (event.event === 'ai:thinking') {
      this.thinking = data;
      return true;
    }
    if (event.event === 'game:action' && typeof data.seq === 'number') {
      this.remember({ seq: data.seq, playerId: String(data.playerId), action: data.action as Action });
      this.thinking = null;
      return true;
    }
    if (event.event === 'game:end') this.thinking = null;
    return false;
  }

  board(battle: Battle, myId: string | null): VNode {
    const fighters = fightersOf(battle);
    const size = boardSize(fighters);
    const moves = movesOf(battle.legalActions);
    const side = size * TILE;
    return h('div.duel-board', [
      h(
        'svg.duel-grid',
        {
          attrs: {
            viewBox: `0 0 ${side} ${side}`,
            role: 'group',
            'aria-label': `Duel board, ${size} by ${size}`,
          },
        },
        [
          ...tiles(size, moves, this.act),
          ...fighters.filter((f) => f.health > 0).map((f) => this.token(battle, f, myId)),
        ],
      ),
    ]);
  }

  side(battle: Battle, myId: string | null): (VNode | null)[] {
    return [
      this.thinkingLine(battle, myId),
      h(
        'ul.fighters',
        fightersOf(battle).map((f) => fighterCard(battle, f, myId)),
      ),
      ...this.controls(battle, myId),
      h('h3', 'Action log'),
      h(
        'ol.duel-log',
        { attrs: { 'aria-live': 'polite' } },
        [...this.log.values()]
          .sort((a, b) => a.seq - b.seq)
          .map((entry) => h('li', { attrs: { 'data-seq': entry.seq } }, describe(battle, entry, myId))),
      ),
    ];
  }

  private remember(entry: LogEntry): void {
    this.log.set(entry.seq, { seq: entry.seq, playerId: entry.playerId, action: entry.action });
  }

  private thinkingLine(battle: Battle, myId: string | null): VNode | null {
    const thinking = this.thinking;
    if (!thinking || battle.state.status !== 'ACTIVE') return null;
    const name = fighterName(battle, String(thinking.playerId), myId);
    const { depth, score, pv } = thinking;
    if (typeof depth !== 'number') return h('p.thinking', { attrs: { role: 'status' } }, `${name} is thinking…`);
    // The line it expects: each action in a word or two, seat names kept short.
    const line = (Array.isArray(pv) ? (pv as Action[]) : []).slice(0, 6).map((action) => {
      const to = action.to as Position | undefined;
      if (action.type === 'move' && to) return `move ${to.x},${to.y}`;
      const target = typeof action.target === 'string' ? ` ${fighterName(battle, action.target, null)}` : '';
      return `${action.type}${target}`;
    });
    const scored = typeof score === 'number' ? ` · score ${score > 0 ? '+' : ''}${score}` : '';
    return h('div.thinking', { attrs: { role: 'status' } }, [
      h('p', `${name} is thinking: depth ${depth}${scored}`),
      line.length ? h('p.eval-line', `Line: ${line.join(', ')}`) : null,
    ]);
  }

  private controls(battle: Battle, myId: string | null): (VNode | null)[] {
    const legal = battle.legalActions;
    if (!legal || !myId) {
      const turn = battle.state.currentTurn;
      return turn && battle.state.status === 'ACTIVE'
        ? [h('p.turn', `${fighterName(battle, turn, myId)} to act.`)]
        : [];
    }
    const plain = legal.filter((a) => !TARGETED.includes(a.type) && a.type !== 'move');
    const targets = [...new Set(legal.filter((a) => TARGETED.includes(a.type)).map((a) => String(a.target)))];
    return [
      h('p.turn', 'Your turn: pick an action, a highlighted tile to move to, or a fighter to strike.'),
      h(
        'div.duel-actions',
        plain.map((action) =>
          h(`button.act-${action.type}`, { on: { click: () => this.act(action) } }, capitalise(action.type)),
        ),
      ),
      h(
        'div.duel-targets',
        targets.map((target) =>
          h(
            'button.target',
            { attrs: { 'data-target': target }, on: { click: () => this.choose(target) } },
            `Strike ${fighterName(battle, target, myId)}…`,
          ),
        ),
      ),
      this.targetChoice(battle, myId),
    ];
  }

  private targetChoice(battle: Battle, myId: string | null): VNode | null {
    const target = this.chosenTarget;
    const strikes = strikesAt(battle.legalActions, target);
    if (!target || !strikes.length) return null;
    return h('div.duel-choice', { attrs: { role: 'group', 'aria-label': 'Choose how to strike' } }, [
      h('span', `${fighterName(battle, target, myId)}: `),
      ...strikes.map((action) =>
        h(`button.strike-${action.type}`, { on: { click: () => this.strike(action) } }, capitalise(action.type)),
      ),
      h('button.cancel', { on: { click: () => this.choose(null) } }, 'Cancel'),
    ]);
  }

  private choose(target: string | null): void {
    this.chosenTarget = target;
    this.redraw();
  }

  private strike(action: Action): void {
    this.chosenTarget = null;
    this.act(action);
  }

  /** A fighter on the grid; a target you may strike is a button (one strike posts at once). */
  private token(battle: Battle, fighter: Fighter, myId: string | null): VNode {
    const strikes = strikesAt(battle.legalActions, fighter.id);
    const { x, y } = fighter.position;
    const cx = (x + 0.5) * TILE;
    const cy = (y + 0.5) * TILE;
    const mine = fighter.id === myId;
    const name = fighterName(battle, fighter.id, myId);
    const pick = (): void => (strikes.length === 1 ? this.strike(strikes[0]) : this.choose(fighter.id));
    const clickable = strikes.length > 0;
    const effects = fighter.status.map((s) => s.type).join(', ');
    return h(
      'g.token',
      {
        class: { mine, strikable: clickable, current: battle.state.currentTurn === fighter.id },
        attrs: {
          'data-player': fighter.id,
          'data-seat': fighter.seat,
          ...(clickable ? { tabindex: 0, role: 'button' } : {}),
          'aria-label': `${name}, health ${fighter.health}, energy ${fighter.energy}${effects ? `, ${effects}` : ''}${clickable ? ', strike' : ''}`,
        },
        on: clickable ? { click: pick, keydown: (event: KeyboardEvent) => pressed(event, pick) } : {},
      },
      [
        h('circle', {
          attrs: { cx, cy, r: TILE * 0.36, fill: SEAT_COLOURS[fighter.seat % SEAT_COLOURS.length] },
        }),
        h('text', { class: { you: mine }, attrs: { x: cx, y: cy + 1, 'text-anchor': 'middle', 'dominant-baseline': 'middle' } }, mine ? 'you' : String(fighter.seat + 1)),
        h('rect.hp-back', { attrs: { x: cx - TILE * 0.4, y: cy + TILE * 0.38, width: TILE * 0.8, height: 3 } }),
        h('rect.hp', {
          attrs: { x: cx - TILE * 0.4, y: cy + TILE * 0.38, width: (TILE * 0.8 * fighter.health) / MAX_HEALTH, height: 3 },
        }),
        h('title', name),
      ],
    );
  }
}

function fightersOf(battle: Battle): Fighter[] {
  return Object.entries(battle.state.players).map(([id, data], seat) => ({
    id,
    seat: battle.players.find((p) => p.id === id)?.seat ?? seat,
    health: Number(data.health ?? 0),
    energy: Number(data.energy ?? 0),
    status: Array.isArray(data.status) ? (data.status as StatusEffect[]) : [],
    position: (data.position as Position | undefined) ?? { x: 0, y: 0 },
  }));
}

/** The API does not expose options.size: 7 (the default) unless a fighter stands beyond it. */
function boardSize(fighters: Fighter[]): number {
  const far = Math.max(0, ...fighters.map((f) => Math.max(f.position.x, f.position.y)));
  return Math.max(DEFAULT_SIZE, far + 1);
}

function movesOf(legal: Action[] | null): Map<string, Action> {
  const moves = new Map<string, Action>();
  for (const action of legal ?? []) {
    const to = action.to as Position | undefined;
    if (action.type === 'move' && to) moves.set(`${to.x},${to.y}`, action);
  }
  return moves;
}

function strikesAt(legal: Action[] | null, target: string | null): Action[] {
  return (legal ?? []).filter((a) => TARGETED.includes(a.type) && a.target === target);
}

/** The grid's tiles; those you may move to are buttons. */
function tiles(size: number, moves: Map<string, Action>, act: (action: Action) => void): VNode[] {
  const drawn: VNode[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const move = moves.get(`${x},${y}`);
      const place = { x: x * TILE, y: y * TILE, width: TILE, height: TILE };
      if (!move) {
        drawn.push(h('rect.tile', { class: { dark: (x + y) % 2 === 1 }, attrs: place }));
        continue;
      }
      const go = (): void => act(move);
      drawn.push(
        h('rect.tile.target', {
          attrs: { ...place, tabindex: 0, role: 'button', 'aria-label': `Move to ${x}, ${y}`, 'data-x': x, 'data-y': y },
          on: { click: go, keydown: (event: KeyboardEvent) => pressed(event, go) },
        }),
      );
    }
  }
  return drawn;
}

function pressed(event: KeyboardEvent, then: () => void): void {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  event.preventDefault();
  then();
}

function fighterCard(battle: Battle, fighter: Fighter, myId: string | null): VNode {
  const name = fighterName(battle, fighter.id, myId);
  return h('li.fighter', { class: { out: fighter.health <= 0 }, attrs: { 'data-player': fighter.id } }, [
    h('span.swatch', { attrs: { 'data-seat': fighter.seat } }),
    h('strong', fighter.health > 0 ? name : `${name} (out)`),
    bar('Health', fighter.health, MAX_HEALTH),
    bar('Energy', fighter.energy, MAX_ENERGY),
    h(
      'ul.effects',
      fighter.status.map((s) => h('li', `${s.type} (${s.turnsLeft} turn${s.turnsLeft === 1 ? '' : 's'})`)),
    ),
  ]);
}

function bar(label: string, value: number, max: number): VNode {
  return h('label.bar', [
    h('span', `${label} ${value}`),
    h('meter', { attrs: { min: 0, max, value, low: max * 0.3, high: max * 0.6, optimum: max } }),
  ]);
}

function seatName(player: Player | undefined, myId: string | null): string {
  if (!player) return 'A fighter';
  if (player.id !== null && player.id === myId) return `Player ${player.seat + 1} (you)`;
  const computer = player.type === 'ai' ? ` (computer${player.level !== null ? `, level ${player.level}` : ''})` : '';
  return `Player ${player.seat + 1}${computer}`;
}

export function fighterName(battle: Battle, playerId: string, myId: string | null): string {
  return seatName(
    battle.players.find((p) => p.id === playerId),
    myId,
  );
}

function describe(battle: Battle, entry: LogEntry, myId: string | null): string {
  const who = fighterName(battle, entry.playerId, myId);
  const action = entry.action;
  const to = action.to as Position | undefined;
  if (action.type === 'move' && to) return `${who} moves to ${to.x}, ${to.y}`;
  const verb = VERBS[action.type] ?? action.type;
  if (typeof action.target === 'string') return `${who} ${verb} ${fighterName(battle, action.target, myId)}`;
  return `${who} ${verb}`;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
