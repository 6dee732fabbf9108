// The shapes of the API's answers the pages read (see /docs for all of them).

export type Action = Record<string, unknown> & { type: string };

export interface Player {
  id: string | null;
  userId: string | null;
  seat: number;
  type: 'human' | 'ai';
  level: number | null;
}

export interface GameState {
  battleId: string;
  round: number;
  currentTurn: string | null;
  players: Record<string, Record<string, unknown>>;
  status: 'WAITING' | 'ACTIVE' | 'FINISHED';
  lastAction: { seq: number; playerId: string; action: Action } | null;
  result: { winners: string[]; reason: string } | null;
  fen?: string | null;
  moves?: string[] | null;
}

export interface Battle {
  id: string;
  game: 'chess' | 'duel';
  players: Player[];
  state: GameState;
  status: GameState['status'];
  createdAt: number;
  legalActions: Action[] | null;
}

export interface BattlePage {
  battles: Battle[];
  nextCursor: string | null;
}
