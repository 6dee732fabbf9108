"""The lichess-compatible face: lichess's Bot and Board API, as lichess documents it."""
