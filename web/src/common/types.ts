// The shapes of the API's answers the pages read (see /docs for all of them).

export type Action = Record<string, unknown> & { type: string };

export interface Player {
  id: string | null;
  userId: string | null;
  seat: number;
  type: 'human' | 'ai';
  level: number | null;
  username?: string | null; // a user's name and rating as they sat down
  rating?: number | null;
}

export interface GameState {
  battleId: string;
  round: number;
  currentTurn: string | null;
  players: Record<string, Record<string, unknown>>;
  status: 'WAITING' | 'ACTIVE' | 'FINISHED';
  lastAction: { seq: number; playerId: string; action: Action; at: number } | null;
  result: { winners: string[]; reason: string } | null;
  fen?: string | null;
  moves?: string[] | null;
  clock?: ClockState | null;
}

/** A time control and each seat's time, measured at ``at`` (epoch ms). */
export interface ClockState {
  limit: number | null;
  increment: number | null;
  days: number | null;
  remaining: number[];
  running: number | null;
  at: number;
}

export interface Battle {
  id: string;
  game: 'chess' | 'duel';
  players: Player[];
  options?: Record<string, unknown>;
  state: GameState;
  status: GameState['status'];
  createdAt: number;
  updatedAt: number;
  legalActions: Action[] | null;
}

export interface BattlePage {
  battles: Battle[];
  nextCursor: string | null;
}

/** One action of a battle's record, in the order played. */
export interface RecordedAction {
  seq: number;
  playerId: string;
  action: Action;
  at: number;
}

/** `GET /state/replay/{battleId}`: the battle, where it began, every action, the PGN. */
export interface Replay {
  battle: Battle;
  initialState: GameState;
  actions: RecordedAction[];
  result: GameState['result'];
  pgn: string | null;
}

/** `GET /state/history?battleId=`: every state, the first before any action. */
export interface History {
  battleId: string;
  states: GameState[];
}

export interface PublicUser {
  userId: string;
  username: string;
  displayName: string | null;
  createdAt: string;
}

export interface Tally {
  played: number;
  wins: number;
  losses: number;
  draws: number;
}

export interface GameRecord extends Tally {
  rating: number;
  ratingDeviation: number;
  provisional: boolean;
}

export interface UserStats {
  userId: string;
  total: Tally;
  games: { [game: string]: GameRecord };
}

export interface RankedPlayer extends GameRecord {
  rank: number;
  userId: string;
  username: string;
}

export interface Leaderboard {
  game: string;
  players: RankedPlayer[];
  nextOffset: number | null;
}

/** The games gambit plays, in the order the pages list them. */
export const GAMES = ['chess', 'duel'] as const;
export type GameName = (typeof GAMES)[number];

/** A personal API token as listed: never the token itself (`/account/tokens`). */
export interface ApiToken {
  id: string;
  description: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** A token just made: the only answer that holds the token. */
export interface NewApiToken extends ApiToken {
  token: string;
}
