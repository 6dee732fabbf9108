// One tournament or match, live: its standings with Elo intervals, the crosstable, the
// likelihood of superiority, pentanomial counts, the SPRT curve of a match, the games to
// watch or replay, and the downloads. Redrawn on every `tournament:update` of the socket.

import { failureText, request } from '../common/api';
import { currentSession } from '../common/session';
import { BattleSocket, type ServerEvent } from '../common/socket';
import type { Participant, SprtState, Standing, Tournament, TournamentGame } from '../common/types';
import { h, header, mount, type VNode } from '../common/view';
import {
  crosstableText,
  eloInterval,
  eloText,
  formatName,
  participantKind,
  pentanomialHeads,
  percentText,
  pointsText,
  progressText,
  resultText,
  sprtPlot,
} from './format';

/** Finished games listed before "show all": the newest first. */
const FINISHED_SHOWN = 30;
const PLOT = { width: 640, height: 260, margin: 40 };

export function tournamentPage(root: Element, tournamentId: string): void {
  const session = currentSession();
  let tournament: Tournament | null = null;
  let error = '';
  let connected = false;
  let allFinished = false;
  let loading: Promise<void> | null = null;
  let stale = false;

  /** The whole tournament again; updates that come during a load cause one more. */
  function load(): Promise<void> {
    if (loading) {
      stale = true;
      return loading;
    }
    loading = (async () => {
      try {
        tournament = await request<Tournament>('GET', `/tournaments/${tournamentId}`);
        error = '';
      } catch (exc) {
        error = failureText(exc);
      }
      loading = null;
      redraw();
      if (stale) {
        stale = false;
        await load();
      }
    })();
    return loading;
  }

  async function act(verb: 'start' | 'pause' | 'cancel' | 'join'): Promise<void> {
    try {
      tournament = await request<Tournament>('POST', `/tournaments/${tournamentId}/${verb}`);
      error = '';
    } catch (exc) {
      error = failureText(exc);
    }
    redraw();
  }

  function hear(event: ServerEvent): void {
    if (event.event === 'tournament:update') void load();
  }

  const nameOf = (id: string): string => tournament?.participants.find((p) => p.id === id)?.name ?? id;

  // -- parts ---------------------------------------------------------------------------

  function controls(t: Tournament): VNode | null {
    const buttons: VNode[] = [];
    if (session && session.userId === t.createdBy) {
      if (t.status === 'open') buttons.push(h('button.start', { on: { click: () => void act('start') } }, 'Start'));
      if (t.status === 'paused') buttons.push(h('button.start', { on: { click: () => void act('start') } }, 'Resume'));
      if (t.status === 'running') buttons.push(h('button.pause', { on: { click: () => void act('pause') } }, 'Pause'));
      if (['open', 'running', 'paused'].includes(t.status)) {
        buttons.push(h('button.cancel', { on: { click: () => void act('cancel') } }, 'Cancel'));
      }
    }
    const joined = t.participants.some((p) => p.userId !== null && p.userId === session?.userId);
    if (session && t.status === 'open' && !joined) {
      buttons.push(h('button.join', { on: { click: () => void act('join') } }, 'Join'));
    }
    return buttons.length ? h('div.controls', buttons) : null;
  }

  function summary(t: Tournament): VNode {
    const { played, running, total } = t.progress;
    return h('section.card.summary', [
      h('h1', t.name),
      h('p.facts', [
        `${t.game} · ${formatName(t.format)} · `,
        h(`span.status.${t.status}`, t.status),
        ' · ',
        h('span.progress', `${progressText(played, total)} games played`),
        running ? ` · ${running} being played` : '',
        connected ? null : h('span.offline', ' · reconnecting…'),
      ]),
      t.sprt?.decision ? h('p.decision', sprtDecision(t.sprt)) : null,
      controls(t),
      error ? h('p.error', { attrs: { role: 'alert' } }, error) : null,
      h('p.downloads', [
        h('a.download-results', { attrs: { href: `/api/v1/tournaments/${t.id}/results`, download: '' } }, 'Results (JSON)'),
        t.game === 'chess'
          ? h('a.download-pgn', { attrs: { href: `/api/v1/tournaments/${t.id}/pgn`, download: '' } }, 'All games (PGN)')
          : null,
      ]),
    ]);
  }

  function standingRow(standing: Standing): VNode {
    const participant = tournament?.participants.find((p) => p.id === standing.participantId);
    const mine = participant?.userId !== null && participant?.userId === session?.userId;
    return h('tr', { class: { mine }, attrs: { 'data-participant': standing.participantId } }, [
      h('td.rank', String(standing.rank)),
      h('th', { attrs: { scope: 'row' } }, participant ? participantName(participant) : standing.participantId),
      h('td.points', pointsText(standing.points)),
      h('td.games', String(standing.games)),
      h('td.wdl', `${standing.wins}/${standing.draws}/${standing.losses}`),
      h('td.buchholz', pointsText(standing.buchholz)),
      h('td.sb', pointsText(standing.sonnebornBerger)),
      h('td.elo', { attrs: { title: eloInterval(standing.eloLow, standing.eloHigh) } }, eloText(standing.elo, standing.eloLow, standing.eloHigh)),
    ]);
  }

  function participantName(participant: Participant): VNode {
    const kind = participantKind(participant);
    if (participant.userId) {
      return h('a', { attrs: { href: `/profile/${participant.userId}`, title: kind } }, participant.name);
    }
    return h('span', { attrs: { title: kind } }, participant.name);
  }

  function standings(t: Tournament): VNode {
    const heads: [string, string][] = [
      ['Rank', ''],
      ['Participant', ''],
      ['Points', ''],
      ['Games', ''],
      ['W/D/L', 'wins, draws, losses'],
      ['Buchholz', 'the sum of the opponents’ points'],
      ['SB', 'Sonneborn-Berger: the points of the opponents beaten, and half of those drawn'],
      ['Elo', 'an estimate from the games of this tournament, ± its 95% interval'],
    ];
    return h('section.card.standings', [
      h('h2', 'Standings'),
      h('div.table-scroll', [
        h('table.standings', [
          h('thead', h('tr', heads.map(([head, title]) => h('th', { attrs: { scope: 'col', title } }, head)))),
          h('tbody', t.standings.map(standingRow)),
        ]),
      ]),
    ]);
  }

  /** A participant × participant table, rows and columns in the standings' order, each
   * column headed by the rank number so the table stays narrow. */
  function matrix(kind: string, title: string, t: Tournament, cell: (row: string, column: string) => string): VNode {
    const order = t.standings.map((standing) => standing.participantId);
    return h(`section.card.${kind}`, [
      h('h2', title),
      h('div.table-scroll', [
        h(`table.matrix.${kind}`, [
          h(
            'thead',
            h('tr', [
              h('th', { attrs: { scope: 'col' } }, ''),
              ...order.map((id, index) => h('th', { attrs: { scope: 'col', title: nameOf(id) } }, String(index + 1))),
            ]),
          ),
          h(
            'tbody',
            order.map((row, index) =>
              h('tr', { attrs: { 'data-participant': row } }, [
                h('th', { attrs: { scope: 'row' } }, `${index + 1}. ${nameOf(row)}`),
                ...order.map((column) =>
                  row === column
                    ? h('td.self', { attrs: { 'aria-label': 'itself' } }, '')
                    : h('td', { attrs: { 'data-opponent': column } }, cell(row, column)),
                ),
              ]),
            ),
          ),
        ]),
      ]),
    ]);
  }

  function pentanomial(t: Tournament): VNode | null {
    const counts = t.pentanomial;
    if (!counts || !Object.keys(counts).length) return null;
    const length = Math.max(...Object.values(counts).map((row) => row.length));
    return h('section.card.pentanomial', [
      h('h2', 'Pairs by points'),
      h('p.hint', 'Each opening is played twice, colours swapped: how many pairs scored 0, ½, 1, 1½ or 2 points.'),
      h('div.table-scroll', [
        h('table.pentanomial', [
          h('thead', h('tr', [h('th', { attrs: { scope: 'col' } }, ''), ...pentanomialHeads(length).map((head) => h('th', { attrs: { scope: 'col' } }, head))])),
          h(
            'tbody',
            t.standings
              .filter((standing) => counts[standing.participantId])
              .map((standing) =>
                h('tr', { attrs: { 'data-participant': standing.participantId } }, [
                  h('th', { attrs: { scope: 'row' } }, nameOf(standing.participantId)),
                  ...counts[standing.participantId].map((count) => h('td', String(count))),
                ]),
              ),
          ),
        ]),
      ]),
    ]);
  }

  function sprtSection(sprt: SprtState): VNode {
    const plot = sprtPlot(sprt, PLOT);
    const label = (x: number, y: number, text: string, anchor = 'end'): VNode =>
      h('text', { attrs: { x, y, 'text-anchor': anchor, 'dominant-baseline': 'middle' } }, text);
    return h('section.card.sprt', [
      h('h2', 'SPRT'),
      h('p.sprt-facts', [
        `elo0 ${sprt.elo0}, elo1 ${sprt.elo1}, α ${sprt.alpha}, β ${sprt.beta} · `,
        h('span.llr', `LLR ${sprt.llr.toFixed(2)}`),
        ` (${sprt.lower.toFixed(2)}, ${sprt.upper.toFixed(2)}) · `,
        sprtDecision(sprt),
      ]),
      h(
        'svg.sprt-plot',
        {
          attrs: {
            viewBox: `0 0 ${PLOT.width} ${PLOT.height}`,
            role: 'img',
            'aria-label': `Log-likelihood ratio ${sprt.llr.toFixed(2)} after ${sprt.history.at(-1)?.pairs ?? 0} pairs`,
          },
        },
        [
          h('rect.frame', { attrs: { x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top } }),
          h('line.zero', { attrs: { x1: plot.left, x2: plot.right, y1: plot.zeroY, y2: plot.zeroY } }),
          h('line.bound.upper', { attrs: { x1: plot.left, x2: plot.right, y1: plot.upperY, y2: plot.upperY } }),
          h('line.bound.lower', { attrs: { x1: plot.left, x2: plot.right, y1: plot.lowerY, y2: plot.lowerY } }),
          label(plot.left - 4, plot.upperY, sprt.upper.toFixed(2)),
          label(plot.left - 4, plot.lowerY, sprt.lower.toFixed(2)),
          label(plot.left - 4, plot.zeroY, '0'),
          h('polyline.llr', { attrs: { points: plot.line, fill: 'none' } }),
          label(plot.left, plot.bottom + 14, '0', 'start'),
          label(plot.right, plot.bottom + 14, `${plot.maxPairs} pairs`),
        ],
      ),
    ]);
  }

  function gameItem(game: TournamentGame): VNode {
    const players = game.seats.map(nameOf).join(' vs ');
    const where = `round ${game.round}`;
    if (game.status === 'running' && game.battleId) {
      return h('li', { attrs: { 'data-battle': game.battleId } }, [
        `${players} · ${where} `,
        h('a.watch', { attrs: { href: `/game/${game.battleId}` } }, 'Watch'),
      ]);
    }
    const result = game.result ? `${resultText(game.result.points)} (${game.result.reason})` : '';
    return h('li', { attrs: game.battleId ? { 'data-battle': game.battleId } : {} }, [
      `${players}: ${result} · ${where} `,
      game.battleId ? h('a.replay', { attrs: { href: `/replay/${game.battleId}` } }, 'Replay') : null,
    ]);
  }

  function games(t: Tournament): VNode {
    const running = t.games.filter((game) => game.status === 'running');
    const finished = t.games.filter((game) => game.status === 'finished').reverse();
    const pending = t.games.filter((game) => game.status === 'pending').length;
    const shown = allFinished ? finished : finished.slice(0, FINISHED_SHOWN);
    return h('section.card.tournament-games', [
      h('h2', 'Games'),
      h('h3', 'Being played'),
      running.length ? h('ul.running-games', running.map(gameItem)) : h('p', 'None right now.'),
      pending ? h('p.pending', `${pending} more to play.`) : null,
      h('h3', 'Finished'),
      finished.length ? h('ul.finished-games', shown.map(gameItem)) : h('p', 'None yet.'),
      shown.length < finished.length
        ? h('button.show-all', { on: { click: () => ((allFinished = true), redraw()) } }, `Show all ${finished.length}`)
        : null,
    ]);
  }

  function participantsList(t: Tournament): VNode {
    return h('section.card.participants', [
      h('h2', `Participants (${t.participants.length})`),
      h(
        'ul',
        t.participants.map((participant) =>
          h('li', { attrs: { 'data-participant': participant.id } }, [participantName(participant), h('span.kind', ` · ${participantKind(participant)}`)]),
        ),
      ),
    ]);
  }

  function render(): VNode {
    const t = tournament;
    const started = t ? t.status !== 'open' : false;
    const played = t ? t.progress.played > 0 : false;
    return h('div.page', [
      header(session?.username ?? null),
      h(
        'main.tournament',
        t
          ? [
              summary(t),
              t.sprt ? sprtSection(t.sprt) : null,
              started && t.standings.length ? standings(t) : participantsList(t),
              played ? matrix('crosstable', 'Crosstable', t, (row, column) => crosstableText(t.crosstable[row]?.[column])) : null,
              played && Object.keys(t.los ?? {}).length
                ? matrix('los', 'Likelihood of superiority', t, (row, column) => {
                    const value = t.los[row]?.[column];
                    return value === undefined || value === null ? '' : percentText(value);
                  })
                : null,
              pentanomial(t),
              started ? games(t) : null,
            ]
          : [h('section.card', [error ? h('p.error', { attrs: { role: 'alert' } }, error) : h('p', 'Loading…')])],
      ),
    ]);
  }

  const redraw = mount(root, render);
  new BattleSocket({ tournamentId }, hear, (up) => {
    connected = up;
    // Back after a drop: whatever changed meanwhile shows at once.
    if (up && tournament) void load();
    redraw();
  });
  void load();
}

function sprtDecision(sprt: SprtState): string {
  if (sprt.decision === 'H1') return `H1 accepted: elo1 ${sprt.elo1} or more is likely`;
  if (sprt.decision === 'H0') return `H0 accepted: elo0 ${sprt.elo0} or less is likely`;
  return 'undecided';
}
