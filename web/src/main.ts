// The web face's one entry: the page for the address, each page a module of its own.

import '@lichess-org/chessground/assets/chessground.base.css';
import '@lichess-org/chessground/assets/chessground.brown.css';
import '@lichess-org/chessground/assets/chessground.cburnett.css';
import '../css/gambit.css';

import { accountPage } from './account';
import { gamePage } from './game';
import { lobbyPage } from './lobby';

const root = document.getElementById('app');
const path = location.pathname;
const game = /^\/game\/([0-9a-f-]{36})$/.exec(path);

if (root) {
  if (game) gamePage(root, game[1]);
  else if (path === '/account') accountPage(root);
  else lobbyPage(root);
}
