# gambit: `make run` sets everything up and starts the server; `make test` runs the suite.

VENV     ?= .venv
PYTHON   ?= python3
BIN      := $(VENV)/bin
ARGS     ?=
PYTEST   ?=

.PHONY: run install dev stockfish test lint format bench bench-ws bench-duel bench-history clean

# Without AUTH_SECRET_KEY the server runs in development mode, which keeps a generated
# token signing key in ./data; set the key (and drop to plain `gambit serve`) in production.
run: install stockfish  ## set up and start the server on http://localhost:8080
	$(BIN)/gambit serve $(if $(AUTH_SECRET_KEY),,--dev) $(ARGS)

install: $(VENV)/.installed  ## the virtualenv with gambit in it

dev: $(VENV)/.dev-installed  ## ... plus the test and lint tools

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

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

test: dev stockfish  ## the whole suite, on SQLite and on PostgreSQL
	$(BIN)/pytest $(PYTEST)

lint: dev  ## ruff and mypy --strict
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: dev
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: install stockfish  ## HTTP throughput and latency, printed as ratios to /health
	$(BIN)/python bench/http_load.py

bench-ws: install  ## WebSocket fan-out: delay to the last of N spectators, memory per socket
	$(BIN)/python bench/ws_fanout.py

bench-duel: install  ## the duel AI's strength by level: 100-game matches
	$(BIN)/python bench/duel_ai_match.py

bench-history: install  ## start-up, memory and list latency with 0 to 100,000 stored battles
	$(BIN)/python bench/history_scale.py $(ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
