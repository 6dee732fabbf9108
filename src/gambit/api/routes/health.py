"""``GET /health``: is the server up, is storage writing, does Redis answer, which engine
plays; ``GET /health/ready``: should a load balancer send this process traffic."""

from __future__ import annotations

import time

from fastapi import APIRouter, Response

from gambit.api.deps import Services, ServicesDep
from gambit.api.schemas.common import Health, Readiness
from gambit.bus import BusStatus
from gambit.store import StorageStatus

router = APIRouter(tags=["health"])


@router.get("/health", summary="Server, storage, bus and engine status")
async def health(services: ServicesDep) -> Health:
    """Whether the server is up, and how its parts are: the database (`storage`), the
    events between processes (`bus`), and which chess engine plays. Never rate-limited."""
    return Health(
        status="healthy",
        time=int(time.time()),
        storage=services.store.status.value,
        bus=_bus_status(services).value,
        engine=services.engine.name,
    )


@router.get(
    "/health/ready",
    summary="Ready for traffic: storage and bus both ok",
    responses={503: {"model": Readiness, "description": "Storage or bus is degraded."}},
)
async def ready(services: ServicesDep, response: Response) -> Readiness:
    """200 while this process can serve, 503 while its database or Redis is away: for a
    load balancer's health check. Never rate-limited."""
    storage = services.store.status
    bus = _bus_status(services)
    is_ready = storage is StorageStatus.OK and bus is BusStatus.OK
    if not is_ready:
        response.status_code = 503
    return Readiness(ready=is_ready, storage=storage.value, bus=bus.value)


def _bus_status(services: Services) -> BusStatus:
    """Everything this process shares through Redis: its events and its counters."""
    if BusStatus.DEGRADED in (services.bus.status, services.counters.status):
        return BusStatus.DEGRADED
    return BusStatus.OK
