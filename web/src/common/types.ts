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

// -- Tournaments and matches (`/tournaments`) ---------------------------------------------

export const TOURNAMENT_FORMATS = ['round-robin', 'double-round-robin', 'gauntlet', 'swiss', 'match'] as const;
export type TournamentFormat = (typeof TOURNAMENT_FORMATS)[number];

export const TOURNAMENT_STATUSES = ['open', 'running', 'paused', 'finished', 'canceled'] as const;
export type TournamentStatus = (typeof TOURNAMENT_STATUSES)[number];

/** Who may play: a user (a bot account or a person), or a built-in engine that plays itself. */
export type ParticipantSpec = { userId: string } | { engine: string; level: number; searchTime: number };

/** One calibrated level of a built-in engine (`GET /engines`): Elo against its other levels. */
export interface EngineRating {
  engine: string;
  game: GameName;
  title: string;
  level: number;
  searchTime: number;
  elo: number;
  eloLow: number;
  eloHigh: number;
  anchor: boolean;
}

export interface TimeControl {
  limit: number; // seconds
  increment: number; // seconds
}

export type Openings = { book: 'builtin' } | { epd: string } | { pgn: string };

export interface ChessAdjudication {
  resign?: { score: number; moves: number };
  draw?: { score: number; moves: number; after: number };
}

export interface DuelAdjudication {
  maxRounds: number;
}

export interface SprtSettings {
  elo0: number;
  elo1: number;
  alpha: number;
  beta: number;
}

/** The body of `POST /tournaments`. */
export interface NewTournament {
  name: string;
  game: GameName;
  format: TournamentFormat;
  participants: ParticipantSpec[];
  rounds?: number;
  gamesPerPairing: number;
  timeControl: TimeControl | null;
  openings?: Openings;
  concurrency: number;
  adjudication?: ChessAdjudication | DuelAdjudication;
  sprt?: SprtSettings;
}

export interface TournamentSummary {
  id: string;
  name: string;
  game: GameName;
  format: TournamentFormat;
  status: TournamentStatus;
  createdBy: string;
  createdAt: number;
  participants: number;
  played: number;
  total: number | null;
}

export interface TournamentPage {
  tournaments: TournamentSummary[];
  nextOffset: number | null;
}

export interface Participant {
  id: string;
  name: string;
  kind: 'user' | 'engine';
  userId: string | null;
  engine: string | null;
  level: number | null;
  searchTime: number | null;
}

export interface Standing {
  rank: number;
  participantId: string;
  points: number;
  games: number;
  wins: number;
  draws: number;
  losses: number;
  buchholz: number;
  sonnebornBerger: number;
  elo: number | null;
  eloLow: number | null;
  eloHigh: number | null;
}

export interface CrosstableCell {
  points: number;
  games: number;
}

export interface SprtState extends SprtSettings {
  lower: number;
  upper: number;
  llr: number;
  decision: 'H0' | 'H1' | null;
  history: { pairs: number; llr: number }[];
}

export interface TournamentGame {
  battleId: string | null; // none while the game waits for its turn
  round: number;
  pair: number;
  seats: string[]; // participant ids, first seat first
  opening: string | null;
  status: 'pending' | 'running' | 'finished';
  result: { points: number[]; reason: string } | null;
}

export interface Tournament {
  id: string;
  name: string;
  game: GameName;
  format: TournamentFormat;
  status: TournamentStatus;
  createdBy: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  settings: Omit<NewTournament, 'participants'>;
  participants: Participant[];
  progress: { played: number; running: number; total: number | null };
  standings: Standing[];
  crosstable: Record<string, Record<string, CrosstableCell>>;
  los: Record<string, Record<string, number | null>>; // null where it cannot be told
  pentanomial: Record<string, number[]> | null;
  sprt: SprtState | null;
  games: TournamentGame[];
}
