"""The event bus: in-process by default."""

from gambit.bus.base import Event, EventBus, Subscription, battle_topic
from gambit.bus.memory import InProcessBus

__all__ = ["Event", "EventBus", "InProcessBus", "Subscription", "battle_topic"]
