"""The WebSocket face: the endpoint, the hub of sessions, and how events are rendered."""
