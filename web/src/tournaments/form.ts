// The create form's state, and the `POST /tournaments` body it makes once it is valid.
// Pure, so the rules are tested without a browser; the server checks everything again.

import type {
  ChessAdjudication,
  DuelAdjudication,
  EngineRating,
  GameName,
  NewTournament,
  Openings,
  ParticipantSpec,
  TimeControl,
  TournamentFormat,
} from '../common/types';

/** The built-in engine that plays a game, as `GET /engines` names it. */
export interface EngineChoice {
  engine: string;
  game: GameName;
  title: string;
}

/** One entry of the form's participant list: a user as found by name, or an engine. */
export type FormParticipant =
  | { kind: 'user'; userId: string; name: string }
  | ({ kind: 'engine'; level: number; searchTime: number } & EngineChoice);

export type OpeningSource = 'builtin' | 'epd' | 'pgn';

export interface TournamentForm {
  name: string;
  game: GameName;
  format: TournamentFormat;
  participants: FormParticipant[];
  rounds: number; // Swiss
  gamesPerPairing: number; // a match: the most games before it stops undecided
  timeControl: string; // '' untimed, else "minutes+increment"
  openingSource: OpeningSource;
  openingText: string; // the pasted EPD or PGN
  concurrency: number;
  adjudicate: boolean;
  resignScore: number;
  resignMoves: number;
  drawScore: number;
  drawMoves: number;
  drawAfter: number;
  maxRounds: number; // duel
  elo0: number;
  elo1: number;
  alpha: number;
  beta: number;
}

/** Time controls offered, as lichess names them ("minutes+increment"). */
export const TIME_CONTROLS = ['', '1+0', '2+1', '3+2', '5+3', '10+5', '15+10'];

export const LEVELS = { min: 0, max: 20 };
export const SEARCH_TIME = { min: 10, max: 10_000 };

export function emptyForm(): TournamentForm {
  return {
    name: '',
    game: 'chess',
    format: 'round-robin',
    participants: [],
    rounds: 5,
    gamesPerPairing: 2,
    timeControl: '',
    openingSource: 'builtin',
    openingText: '',
    concurrency: 2,
    adjudicate: false,
    resignScore: 800,
    resignMoves: 5,
    drawScore: 10,
    drawMoves: 8,
    drawAfter: 40,
    maxRounds: 50,
    elo0: 0,
    elo1: 10,
    alpha: 0.05,
    beta: 0.05,
  };
}

/** A "minutes+increment" time control in seconds, as battles take it; null when untimed. */
export function timeControlOf(label: string): TimeControl | null {
  if (!label) return null;
  const [minutes, increment] = label.split('+').map(Number);
  return { limit: Math.round(minutes * 60), increment };
}

/** The engine that plays ``game``, from the calibrated levels; null before they are read. */
export function engineFor(game: GameName, ratings: readonly EngineRating[]): EngineChoice | null {
  const rating = ratings.find((r) => r.game === game);
  return rating ? { engine: rating.engine, game, title: rating.title } : null;
}

/** What the calibration says of an engine's levels, for an organiser picking one. */
export function calibrationText(choice: EngineChoice, ratings: readonly EngineRating[]): string {
  const rows = ratings.filter((r) => r.engine === choice.engine);
  if (!rows.length) return '';
  const anchor = rows.find((r) => r.anchor);
  const signed = (elo: number): string => (elo > 0 ? `+${Math.round(elo)}` : `${Math.round(elo)}`.replace('-', '−'));
  const levels = rows.map((r) => (r.anchor ? `${r.level}: 0` : `${r.level}: ${signed(r.elo)} (${signed(r.eloLow)} to ${signed(r.eloHigh)})`));
  const scale = anchor ? `, relative to level ${anchor.level}` : '';
  return `${choice.title} levels in Elo at ${rows[0].searchTime} ms a move${scale}: ${levels.join(', ')}.`;
}

/** How a form participant is listed before the tournament exists. */
export function formParticipantText(participant: FormParticipant): string {
  if (participant.kind === 'user') return participant.name;
  return `${participant.title} level ${participant.level} · ${participant.searchTime} ms`;
}

export function participantSpec(participant: FormParticipant): ParticipantSpec {
  if (participant.kind === 'user') return { userId: participant.userId };
  return { engine: participant.engine, level: participant.level, searchTime: participant.searchTime };
}

export type Built = { body: NewTournament; errors: [] } | { body: null; errors: string[] };

/** The request body, or what to fix first, each message a sentence for the organiser. */
export function buildTournament(form: TournamentForm): Built {
  const errors: string[] = [];
  const name = form.name.trim();
  if (!name) errors.push('Give the tournament a name.');
  else if (name.length > 100) errors.push('The name is too long: 100 characters at most.');

  const count = form.participants.length;
  if (form.format === 'match' && count !== 2) errors.push(`A match is between exactly two participants; there are ${count}.`);
  else if (count < 2) errors.push('Add at least two participants.');

  const seen = new Set<string>();
  for (const participant of form.participants) {
    if (participant.kind === 'user') {
      if (seen.has(participant.userId)) errors.push(`${participant.name} is in the list twice.`);
      seen.add(participant.userId);
      continue;
    }
    if (participant.game !== form.game) {
      errors.push(`${formParticipantText(participant)} does not play ${form.game}: remove it.`);
    }
    if (!isWhole(participant.level, LEVELS.min, LEVELS.max)) errors.push('Engine levels go from 0 to 20.');
    if (!isWhole(participant.searchTime, SEARCH_TIME.min, SEARCH_TIME.max)) {
      errors.push(`An engine's thinking time is ${SEARCH_TIME.min} to ${SEARCH_TIME.max} ms.`);
    }
  }

  const perPairing = form.format === 'match' ? 'The most games of the match' : 'Games per pairing';
  if (!isWhole(form.gamesPerPairing, 2, 1000) || form.gamesPerPairing % 2 !== 0) {
    errors.push(`${perPairing} must be an even number from 2 to 1000: each opening is played twice, colours swapped.`);
  }
  if (form.format === 'swiss' && !isWhole(form.rounds, 1, 50)) errors.push('A Swiss tournament has 1 to 50 rounds.');
  if (form.format === 'swiss' && count >= 2 && form.rounds >= count + (count % 2)) {
    errors.push(`${count} participants can play at most ${count - 1 + (count % 2)} Swiss rounds without a rematch.`);
  }
  if (!isWhole(form.concurrency, 1, 32)) errors.push('Games at once: a whole number from 1 to 32.');

  let openings: Openings | undefined;
  if (form.game === 'chess') {
    if (form.openingSource === 'builtin') openings = { book: 'builtin' };
    else if (!form.openingText.trim()) errors.push(`Paste the ${form.openingSource.toUpperCase()} openings, or use the built-in book.`);
    else openings = form.openingSource === 'epd' ? { epd: form.openingText } : { pgn: form.openingText };
  }

  let adjudication: ChessAdjudication | DuelAdjudication | undefined;
  if (form.adjudicate && form.game === 'chess') {
    // The server's ranges: scores in centipawns, move counts.
    const before = errors.length;
    if (!isWhole(form.resignScore, 100, 10_000)) errors.push('Resign beyond 100 to 10000 centipawns.');
    if (!isWhole(form.drawScore, 0, 1000)) errors.push('Draw within 0 to 1000 centipawns.');
    if (![form.resignMoves, form.drawMoves].every((moves) => isWhole(moves, 1, 100))) {
      errors.push('Adjudication counts 1 to 100 moves in a row.');
    }
    if (!isWhole(form.drawAfter, 0, 500)) errors.push('Draws are adjudicated from move 0 to 500 on.');
    if (errors.length === before && form.resignScore <= form.drawScore) errors.push('The resign score must be above the draw score.');
    adjudication = {
      resign: { score: form.resignScore, moves: form.resignMoves },
      draw: { score: form.drawScore, moves: form.drawMoves, after: form.drawAfter },
    };
  } else if (form.adjudicate) {
    if (!isWhole(form.maxRounds, 1, 100)) errors.push('The round limit is a whole number from 1 to 100.');
    adjudication = { maxRounds: form.maxRounds };
  }

  if (form.format === 'match') {
    if (!(form.elo1 > form.elo0)) errors.push('SPRT: elo1 must be above elo0.');
    for (const [label, value] of [['alpha', form.alpha], ['beta', form.beta]] as const) {
      if (!(value > 0 && value < 0.5)) errors.push(`SPRT: ${label} is a probability above 0 and below 0.5.`);
    }
  }

  if (errors.length) return { body: null, errors };
  const body: NewTournament = {
    name,
    game: form.game,
    format: form.format,
    participants: form.participants.map(participantSpec),
    gamesPerPairing: form.gamesPerPairing,
    // Duel battles have no clock; their limit is the round count.
    timeControl: form.game === 'chess' ? timeControlOf(form.timeControl) : null,
    concurrency: form.concurrency,
  };
  if (form.format === 'swiss') body.rounds = form.rounds;
  if (openings) body.openings = openings;
  if (adjudication) body.adjudication = adjudication;
  if (form.format === 'match') body.sprt = { elo0: form.elo0, elo1: form.elo1, alpha: form.alpha, beta: form.beta };
  return { body, errors: [] };
}

function isWhole(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** A user id as gambit writes them (a UUID), to tell one from a username in the form. */
export function isUserId(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text.trim());
}
