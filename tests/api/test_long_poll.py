"""Long-polling ``GET /games/{id}?wait=true&moveCount=N``."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from gambit.bus import battle_topic
from tests.conftest import LiveServer
from tests.helpers import FAST_COMPUTER, HUMAN, assert_error, new_game, play


def _later(delay: float, action: Callable[[], object]) -> threading.Thread:
    def later() -> None:
        time.sleep(delay)
        action()

    thread = threading.Thread(target=later)
    thread.start()
    return thread


def test_returns_at_once_when_the_move_count_differs(client: httpx.Client) -> None:
    game = new_game(client)
    play(client, game["gameId"], "e2e4")
    started = time.monotonic()
    response = client.get(f"/games/{game['gameId']}", params={"wait": "true", "moveCount": 0})
    assert time.monotonic() - started < 1
    assert response.json()["moves"] == ["e2e4"]


def test_wakes_on_a_move(server: LiveServer, client: httpx.Client) -> None:
    game = new_game(client)
    with server.client() as other:
        mover = _later(0.3, lambda: play(other, game["gameId"], "d2d4"))
        started = time.monotonic()
        response = client.get(f"/games/{game['gameId']}", params={"wait": "true", "moveCount": 0})
        mover.join()
    assert 0.2 < time.monotonic() - started < 3
    assert response.json()["moves"] == ["d2d4"]


def test_wakes_when_the_computer_has_moved(client: httpx.Client) -> None:
    game = new_game(client, HUMAN, FAST_COMPUTER)
    play(client, game["gameId"], "e2e4", "cccc")
    response = client.get(f"/games/{game['gameId']}", params={"wait": "true", "moveCount": 1})
    body = response.json()
    assert body["state"] == "ongoing"
    assert len(body["moves"]) == 2


@pytest.mark.parametrize(
    "change",
    [
        lambda c, g: c.post(f"/games/{g}/undo", json={}),
        lambda c, g: c.put(f"/games/{g}/players", json={"white": HUMAN, "black": FAST_COMPUTER}),
    ],
    ids=["undo", "players"],
)
def test_wakes_on_other_changes(
    server: LiveServer, client: httpx.Client, change: Callable[[httpx.Client, str], object]
) -> None:
    game = new_game(client)
    play(client, game["gameId"], "e2e4")
    with server.client() as other:
        changer = _later(0.3, lambda: change(other, game["gameId"]))
        started = time.monotonic()
        client.get(f"/games/{game['gameId']}", params={"wait": "true", "moveCount": 1})
        changer.join()
    assert time.monotonic() - started < 3


def test_deletion_releases_waiters_with_404(server: LiveServer, client: httpx.Client) -> None:
    game = new_game(client)
    with server.client() as other:
        deleter = _later(0.3, lambda: other.delete(f"/games/{game['gameId']}"))
        response = client.get(f"/games/{game['gameId']}", params={"wait": "true", "moveCount": 0})
        deleter.join()
    assert_error(response, 404, "GAME_NOT_FOUND")


def test_times_out_with_the_current_state(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(long_poll_seconds=0.5)
    with live.client() as client:
        game = new_game(client)
        started = time.monotonic()
        response = client.get(f"/games/{game['gameId']}", params={"wait": "true", "moveCount": 0})
        assert 0.4 < time.monotonic() - started < 3
        assert response.status_code == 200
        assert response.json() == game


def test_a_client_that_hangs_up_stops_waiting(
    server: LiveServer, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    game = new_game(client)
    topic = battle_topic(game["gameId"])
    bus = server.services.bus
    with server.client(timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.get(f"/games/{game['gameId']}", params={"wait": "true", "moveCount": 0})
    deadline = time.monotonic() + 2
    while bus.subscriber_count(topic) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bus.subscriber_count(topic) == 0
    time.sleep(0.1)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no 500 left behind
