// The web face's one entry: the page for the address, each page a module of its own.

import '@lichess-org/chessground/assets/chessground.base.css';
import '@lichess-org/chessground/assets/chessground.brown.css';
import '@lichess-org/chessground/assets/chessground.cburnett.css';
import '../css/gambit.css';

import { accountPage } from './account';
import { gamePage } from './game';
import { leaderboardPage } from './leaderboard';
import { lobbyPage } from './lobby';
import { profilePage } from './profile';
import { replayPage } from './replay';
import { tournamentPage } from './tournament';
import { tournamentsPage } from './tournaments';
import { watchPage } from './watch';

const root = document.getElementById('app');
const path = location.pathname;
const game = /^\/game\/([0-9a-f-]{36})$/.exec(path);
const replay = /^\/replay\/([0-9a-f-]{36})$/.exec(path);
const profile = /^\/profile\/([0-9a-f-]{36})$/.exec(path);
const tournament = /^\/tournament\/([0-9a-zA-Z_-]{1,64})$/.exec(path);
const leaderboard = /^\/leaderboard\/([a-z]+)$/.exec(path);

if (root) {
  if (game) gamePage(root, game[1]);
  else if (replay) replayPage(root, replay[1]);
  else if (profile) profilePage(root, profile[1]);
  else if (leaderboard) leaderboardPage(root, leaderboard[1]);
  else if (tournament) tournamentPage(root, tournament[1]);
  else if (path === '/tournaments') tournamentsPage(root);
  else if (path === '/account') accountPage(root);
  else if (path === '/watch') watchPage(root);
  else lobbyPage(root);
}
