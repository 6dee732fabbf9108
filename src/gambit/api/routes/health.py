"""``GET /health``: is the server up, is storage writing, which engine plays."""

from __future__ import annotations

import time

from fastapi import APIRouter

from gambit.api.deps import ServicesDep
from gambit.api.schemas.common import Health

router = APIRouter(tags=["health"])


@router.get("/health", summary="Server, storage and engine status")
async def health(services: ServicesDep) -> Health:
    return Health(
        status="healthy",
        time=int(time.time()),
        storage=services.store.status.value,
        engine=services.engine.name,
    )
