"""``GET /metrics``: this process's Prometheus metrics, for the networks of METRICS_ALLOW.

Anyone else gets the 404 of a path that does not exist, whatever the method. The
client's address is judged as the rate limits judge it: X-Forwarded-For is believed
only from TRUSTED_PROXIES. Not in the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import make_url
from starlette.exceptions import HTTPException

from gambit import __version__
from gambit.api.deps import Services, ServicesDep
from gambit.api.net import client_address, is_within
from gambit.api.ws.hub import Hub
from gambit.games.battle import BattleStatus
from gambit.metrics import registry
from gambit.store import StorageUnavailable

router = APIRouter(include_in_schema=False)

ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@router.api_route("/metrics", methods=ANY_METHOD)
async def metrics(request: Request, services: ServicesDep) -> Response:
    settings = services.settings
    if not is_within(
        client_address(request.scope, settings.trusted_proxies), settings.metrics_allow
    ):
        raise HTTPException(404)
    if request.method not in ("GET", "HEAD"):
        raise HTTPException(405, headers={"Allow": "GET, HEAD"})
    try:
        playing: Mapping[str, int] | None = await services.store.playing()
    except StorageUnavailable:
        playing = None  # the other figures still tell what is going on
    own = Live(services, request.app.state.hub, playing)
    return Response(generate_latest(registry(own)), media_type=CONTENT_TYPE_LATEST)


class Live(Collector):
    """What this process holds now: its configuration, battles, sockets."""

    def __init__(self, services: Services, hub: Hub, playing: Mapping[str, int] | None) -> None:
        self._services = services
        self._hub = hub
        self._playing = playing

    def collect(self) -> Iterator[Metric]:
        settings = self._services.settings
        info = GaugeMetricFamily(
            "gambit_info",
            "The server's version, storage, bus and engine (always 1).",
            labels=("version", "storage", "bus", "engine"),
        )
        info.add_metric(
            (
                __version__,
                make_url(settings.database_url).get_backend_name(),
                "redis" if settings.redis_url else "in-process",
                self._services.engine.name,
            ),
            1,
        )
        yield info
        if self._playing is not None:
            live = GaugeMetricFamily(
                "gambit_battles_live",
                "Battles in play as stored, by game: the same figure in every process.",
                labels=("game",),
            )
            for game, count in sorted(self._playing.items()):
                live.add_metric((game,), count)
            yield live
        held: dict[tuple[str, str], int] = {}
        for battle in self._services.battles.held():
            key = (battle.game, _status_label(battle.status))
            held[key] = held.get(key, 0) + 1
        cached = GaugeMetricFamily(
            "gambit_battles_in_memory",
            "Battles this process holds in memory, by game and status.",
            labels=("game", "status"),
        )
        for labels, count in sorted(held.items()):
            cached.add_metric(labels, count)
        yield cached
        yield GaugeMetricFamily(
            "gambit_ws_connections",
            "WebSocket connections open to this process.",
            value=self._hub.connections,
        )


def _status_label(status: BattleStatus) -> str:
    return status.value.lower()
