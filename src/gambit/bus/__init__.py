"""The event bus: in-process by default, Redis pub/sub across processes."""

from gambit.bus.base import (
    SYSTEM_TOPIC,
    BusStatus,
    Event,
    EventBus,
    Listener,
    StaleHook,
    Subscription,
    battle_topic,
    user_topic,
)
from gambit.bus.memory import InProcessBus
from gambit.bus.redis import RedisBus


def create_bus(redis_url: str | None) -> EventBus:
    """Redis pub/sub when a URL is configured, so that several processes share events."""
    return RedisBus(redis_url) if redis_url else InProcessBus()


__all__ = [
    "SYSTEM_TOPIC",
    "BusStatus",
    "Event",
    "EventBus",
    "InProcessBus",
    "Listener",
    "RedisBus",
    "StaleHook",
    "Subscription",
    "battle_topic",
    "create_bus",
    "user_topic",
]
