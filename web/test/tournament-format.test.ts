import { describe, expect, it } from 'vitest';

import {
  crosstableText,
  eloInterval,
  eloText,
  participantKind,
  pentanomialHeads,
  percentText,
  pointsText,
  progressText,
  resultText,
  signed,
  sprtPlot,
} from '../src/tournament/format';

describe('points and crosstable cells', () => {
  it('writes halves as a chess crosstable does', () => {
    expect([0, 0.5, 1, 1.5, 2, 10.5].map(pointsText)).toEqual(['0', '½', '1', '1½', '2', '10½']);
    expect(pointsText(-0.5)).toBe('−½');
    expect(pointsText(-1.5)).toBe('−1½');
    expect(pointsText(0.25)).toBe('0.25'); // never sent, but not hidden either
  });

  it('shows points out of games, and nothing before the two have played', () => {
    expect(crosstableText({ points: 1.5, games: 2 })).toBe('1½/2');
    expect(crosstableText({ points: 0, games: 2 })).toBe('0/2');
    expect(crosstableText({ points: 0, games: 0 })).toBe('');
    expect(crosstableText(undefined)).toBe('');
  });

  it('writes a game result seat by seat', () => {
    expect(resultText([1, 0])).toBe('1–0');
    expect(resultText([0.5, 0.5])).toBe('½–½');
    expect(resultText([0, 1, 0])).toBe('0–1–0');
  });

  it('heads the pentanomial columns by pair score', () => {
    expect(pentanomialHeads(5)).toEqual(['0', '½', '1', '1½', '2']);
  });
});

describe('Elo and percentages', () => {
  it('signs with a true minus', () => {
    expect([35, -12, 0, 0.4, -0.4].map(signed)).toEqual(['+35', '−12', '0', '0', '0']);
  });

  it('shows an estimate with the half-width of its 95% interval', () => {
    expect(eloText(35, 15, 55)).toBe('+35 ±20');
    expect(eloText(-120.4, -190, -40)).toBe('−120 ±75');
    expect(eloText(0, -10, 10)).toBe('0 ±10');
    expect(eloText(12, null, null)).toBe('+12');
    expect(eloText(null, null, null)).toBe('—');
    expect(eloInterval(15, 55)).toBe('95%: +15 to +55');
    expect(eloInterval(null, 3)).toBe('');
  });

  it('rounds a likelihood of superiority, keeping a decimal near certainty', () => {
    expect(percentText(0.84)).toBe('84%');
    expect(percentText(0.5)).toBe('50%');
    expect(percentText(0.9991)).toBe('99.9%');
    expect(percentText(0.004)).toBe('0.4%');
    expect(percentText(1)).toBe('100%');
    expect(percentText(0)).toBe('0%');
  });

  it('counts games played out of a total that may not be known yet', () => {
    expect(progressText(3, 12)).toBe('3/12');
    expect(progressText(3, null)).toBe('3/?');
  });

  it('says what an engine participant is', () => {
    const base = { id: 'p1', name: 'sf5', userId: null };
    expect(participantKind({ ...base, kind: 'engine', engine: 'stockfish', level: 5, searchTime: 50 })).toBe(
      'Stockfish level 5 · 50 ms a move',
    );
    expect(participantKind({ ...base, kind: 'user', userId: 'u', engine: null, level: null, searchTime: null })).toBe('user');
  });
});

describe('the SPRT plot', () => {
  const size = { width: 640, height: 260, margin: 40 };
  // The box: x from 40 to 636, y from 4 (top) to 220 (bottom).

  it('spans both bounds with a tenth of head-room, zero on the scale', () => {
    const plot = sprtPlot({ lower: -2.94, upper: 2.94, history: [] }, size);
    expect(plot.minLlr).toBeCloseTo(-2.94 - 0.588);
    expect(plot.maxLlr).toBeCloseTo(2.94 + 0.588);
    expect(plot.zeroY).toBe(112); // the middle of 4..220
    expect(plot.upperY).toBeLessThan(plot.zeroY);
    expect(plot.lowerY).toBeGreaterThan(plot.zeroY);
    expect(plot.upperY - 4).toBeCloseTo(220 - plot.lowerY, 5); // symmetric bounds, symmetric lines
    expect(plot.line).toBe('40,112'); // just the start, before any pair
    expect(plot.maxPairs).toBe(1);
  });

  it('draws the LLR from the origin through every pair, in order', () => {
    const history = [
      { pairs: 2, llr: 1.47 },
      { pairs: 1, llr: 0 },
      { pairs: 4, llr: 2.94 },
    ];
    const plot = sprtPlot({ lower: -2.94, upper: 2.94, history }, size);
    const points = plot.line.split(' ').map((pair) => pair.split(',').map(Number));
    expect(points.map(([x]) => x)).toEqual([40, 189, 338, 636]);
    expect(points[0][1]).toBe(plot.zeroY);
    expect(points[1][1]).toBe(plot.zeroY);
    expect(points[3][1]).toBe(plot.upperY); // the last pair reached the upper bound
    expect(points[2][1]).toBeCloseTo((plot.zeroY + plot.upperY) / 2, 0);
  });

  it('widens the scale for a line that runs past a bound', () => {
    const plot = sprtPlot({ lower: -1, upper: 1, history: [{ pairs: 1, llr: -3 }] }, size);
    expect(plot.minLlr).toBeCloseTo(-3.4);
    const last = plot.line.split(' ').at(-1) as string;
    expect(Number(last.split(',')[1])).toBeLessThan(220); // inside the frame
    expect(Number(last.split(',')[1])).toBeGreaterThan(plot.lowerY);
  });
});
