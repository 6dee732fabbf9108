# gambit: `make run` sets everything up and starts the server; `make test` runs the suite.

VENV     ?= .venv
PYTHON   ?= python3
BIN      := $(VENV)/bin
ARGS     ?=
PYTEST   ?=

.PHONY: run install web dev lock stockfish chromium nginx test lint format bench bench-ws bench-duel bench-history bench-web bench-bots calibrate bench-tournament clean

# Without AUTH_SECRET_KEY (in the environment or .env) the server runs in development mode,
# which keeps a generated token signing key in ./data; set the key in production.
run: install stockfish  ## set up and start the server on http://localhost:8080
	$(BIN)/gambit serve $(if $(AUTH_SECRET_KEY)$(shell grep -s '^AUTH_SECRET_KEY=.' .env),,--dev) $(ARGS)

WEB_BUILT   := src/gambit/web/dist/index.html
WEB_SOURCES := $(shell find web/src web/css -type f 2>/dev/null) web/index.html \
               web/package.json web/vite.config.ts web/tsconfig.json

install: $(VENV)/.installed $(WEB_BUILT)  ## the virtualenv with gambit in it, and the web face built

web: $(WEB_BUILT)  ## the web face, built with npm into the package

web/node_modules/.installed: web/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "gambit: the web face needs Node.js 20+ and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILT): web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build

dev: $(VENV)/.dev-installed  ## ... plus the test and lint tools

# The locks pin every package, with its hashes; gambit itself goes in on top, editable.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

LOCK_VENV := .lock-venv
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
               --strip-extras --no-emit-index-url --no-emit-find-links

# Pins already in a lock are kept: ARGS=--upgrade takes the newest releases instead.
lock:  ## requirements.lock and requirements-dev.lock from pyproject.toml (pip-tools, in a venv of its own)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet pip-tools
	$(PIP_COMPILE) $(ARGS) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) $(ARGS) --extra dev --output-file requirements-dev.lock pyproject.toml

stockfish:  ## Debian's Stockfish when root and missing; otherwise the built-in engine plays
	@if command -v stockfish >/dev/null 2>&1 || [ -x /usr/games/stockfish ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stockfish) \
		|| echo "gambit: could not install stockfish; the built-in engine will play"; \
	else \
		echo "gambit: Stockfish not found. Install it (Debian/Ubuntu: sudo apt-get install stockfish)"; \
		echo "        or set STOCKFISH_PATH; meanwhile the built-in engine plays."; \
	fi

# $(call debian_tool,PATH,PACKAGE,WHO NEEDS IT): Debian's PACKAGE when PATH is missing and
# we are root; otherwise say how to install it, and fail.
define debian_tool
	@if [ -x $(1) ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2); \
	else \
		echo "gambit: $(3) need $(2) (Debian/Ubuntu: sudo apt-get install $(2))"; \
		exit 1; \
	fi
endef

chromium:  ## Debian's Chromium for the browser tests, when root and missing
	$(call debian_tool,/usr/bin/chromium,chromium,the browser tests)

nginx:  ## Debian's nginx for the test of docs/production.md's proxy, when root and missing
	$(call debian_tool,/usr/sbin/nginx,nginx,the production guide's tests)

test: dev stockfish chromium nginx $(WEB_BUILT)  ## the whole suite: the web face's own logic, then on SQLite, PostgreSQL, in Chromium and behind nginx
	cd web && npm test
	$(BIN)/pytest $(PYTEST)

lint: dev  ## ruff and mypy --strict
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy

format: dev
	$(BIN)/ruff check --fix src tests bench examples
	$(BIN)/ruff format src tests bench examples

bench: install stockfish  ## HTTP throughput and latency, printed as ratios to /health
	$(BIN)/python bench/http_load.py

bench-ws: install  ## WebSocket fan-out: delay to the last of N spectators, memory per socket
	$(BIN)/python bench/ws_fanout.py

bench-duel: install  ## the duel AI's strength by level: 100-game matches
	$(BIN)/python bench/duel_ai_match.py

bench-history: install  ## start-up, memory and list latency with 0 to 100,000 stored battles
	$(BIN)/python bench/history_scale.py $(ARGS)

bench-bots: install  ## bot games on the lichess Bot API: moves/s, a move's delay to the opponent
	$(BIN)/python bench/bot_games.py $(ARGS)

calibrate: install stockfish  ## engine levels in Elo: round-robins run by the tournament runner (ARGS="--write" updates the table)
	$(BIN)/python bench/calibrate_levels.py $(ARGS)

bench-tournament: install stockfish  ## a 1,000-game engine match: games/min, games lost on time, added delay per move
	$(BIN)/python bench/tournament.py $(ARGS)

bench-web: dev chromium $(WEB_BUILT)  ## the web face: first-load size, a move's delay to a watching page
	$(BIN)/python bench/web_face.py

clean:
	rm -rf $(VENV) $(LOCK_VENV) data .pytest_cache .mypy_cache .ruff_cache web/node_modules src/gambit/web/dist
