"""A UCI engine that never answers ``go``: the pool's tests use it as a hung Stockfish."""

import sys

for line in sys.stdin:
    command = line.split()[0] if line.split() else ""
    if command == "uci":
        print("id name Hang\nuciok", flush=True)
    elif command == "isready":
        print("readyok", flush=True)
    elif command == "quit":
        break
