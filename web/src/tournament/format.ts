// How the tournament pages word and draw results: points with halves, Elo with its
// interval, percentages, and the SPRT plot's scaling. Pure: no DOM, no requests.

import type { CrosstableCell, Participant, SprtState, TournamentFormat } from '../common/types';

const FORMAT_NAMES: Record<TournamentFormat, string> = {
  'round-robin': 'round-robin',
  'double-round-robin': 'double round-robin',
  gauntlet: 'gauntlet',
  swiss: 'Swiss',
  match: 'match (SPRT)',
};

export function formatName(format: TournamentFormat): string {
  return FORMAT_NAMES[format] ?? format;
}

/** Points as a chess crosstable writes them: 1.5 → "1½", 0.5 → "½", 2 → "2". */
export function pointsText(points: number): string {
  // Scores are whole or half; anything else (never expected) shows as a decimal.
  const halves = Math.round(points * 2);
  if (Math.abs(halves / 2 - points) > 1e-9) return String(points);
  const whole = Math.trunc(halves / 2);
  const half = halves % 2 !== 0;
  if (!half) return String(whole);
  if (whole === 0) return halves < 0 ? '−½' : '½';
  return `${halves < 0 ? '−' : ''}${Math.abs(whole)}½`;
}

/** A crosstable cell: "1½/2"; empty when the two have not played yet. */
export function crosstableText(cell: CrosstableCell | undefined): string {
  if (!cell || cell.games === 0) return '';
  return `${pointsText(cell.points)}/${cell.games}`;
}

/** A signed whole number, with a true minus sign: "+35", "−12", "0". */
export function signed(value: number): string {
  const rounded = Math.round(value);
  if (rounded === 0) return '0';
  return rounded > 0 ? `+${rounded}` : `−${Math.abs(rounded)}`;
}

/** An Elo estimate with the half-width of its 95% interval: "+35 ±20"; "—" until the
 * server has one. An uneven interval shows its mean half-width; `eloInterval` has both ends. */
export function eloText(elo: number | null, low: number | null, high: number | null): string {
  if (elo === null) return '—';
  if (low === null || high === null) return signed(elo);
  return `${signed(elo)} ±${Math.round((high - low) / 2)}`;
}

/** Both ends of the 95% interval, for a tooltip: "95%: +15 to +55". */
export function eloInterval(low: number | null, high: number | null): string {
  if (low === null || high === null) return '';
  return `95%: ${signed(low)} to ${signed(high)}`;
}

/** A likelihood of superiority (0–1) as a percentage; a decimal near the ends, where
 * "100%" would claim a certainty the statistics never give. */
export function percentText(probability: number): string {
  const percent = probability * 100;
  if (percent > 99 && percent < 100) return `${percent.toFixed(1)}%`;
  if (percent < 1 && percent > 0) return `${percent.toFixed(1)}%`;
  return `${Math.round(percent)}%`;
}

/** Played out of all: "3/12"; "3/?" when the total is not known yet (Swiss before it is
 * paired, a match that stops when its test decides). */
export function progressText(played: number, total: number | null): string {
  return `${played}/${total ?? '?'}`;
}

/** The column heads of pentanomial counts: pair scores 0, ½, 1, 1½, 2. */
export function pentanomialHeads(length: number): string[] {
  return Array.from({ length }, (_, index) => pointsText(index / 2));
}

/** What a participant is, beside its name: "Stockfish level 5 · 50 ms a move", "user". */
export function participantKind(participant: Participant): string {
  if (participant.kind === 'user') return 'user';
  const engine = participant.engine === 'stockfish' ? 'Stockfish' : (participant.engine ?? 'engine');
  const level = participant.level === null ? '' : ` level ${participant.level}`;
  const time = participant.searchTime === null ? '' : ` · ${participant.searchTime} ms a move`;
  return `${engine}${level}${time}`;
}

/** The score of a finished game from its first seat's side, as "1–0", "½–½", "0–1"
 * (more seats: each seat's points, e.g. duel's "1–0–0"). */
export function resultText(points: number[]): string {
  return points.map(pointsText).join('–');
}

// -- the SPRT plot ----------------------------------------------------------------------

export interface PlotSize {
  width: number;
  height: number;
  margin: number; // room for the axis labels, left and bottom
}

export interface SprtPlot {
  /** The LLR after every pair, from (0, 0): an SVG `points` list. */
  line: string;
  lowerY: number;
  upperY: number;
  zeroY: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  maxPairs: number;
  minLlr: number;
  maxLlr: number;
}

/** Scale the LLR's history and the test's bounds into an SVG box: pairs along x from 0 to
 * the last pair (at least 1), LLR along y over both bounds and every value, with a tenth
 * of head-room so the line never sits on the frame. */
export function sprtPlot(sprt: Pick<SprtState, 'lower' | 'upper' | 'history'>, size: PlotSize): SprtPlot {
  const history = [...sprt.history].sort((a, b) => a.pairs - b.pairs);
  const values = history.map((point) => point.llr);
  const spanLow = Math.min(sprt.lower, 0, ...values);
  const spanHigh = Math.max(sprt.upper, 0, ...values);
  const pad = (spanHigh - spanLow) * 0.1 || 1;
  const minLlr = spanLow - pad;
  const maxLlr = spanHigh + pad;
  const maxPairs = Math.max(1, ...history.map((point) => point.pairs));
  const left = size.margin;
  const right = size.width - 4;
  const top = 4;
  const bottom = size.height - size.margin;
  const x = (pairs: number): number => round(left + ((right - left) * pairs) / maxPairs);
  const y = (llr: number): number => round(bottom - ((bottom - top) * (llr - minLlr)) / (maxLlr - minLlr));
  const line = [{ pairs: 0, llr: 0 }, ...history].map((point) => `${x(point.pairs)},${y(point.llr)}`).join(' ');
  return { line, lowerY: y(sprt.lower), upperY: y(sprt.upper), zeroY: y(0), left, right, top, bottom, maxPairs, minLlr, maxLlr };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
