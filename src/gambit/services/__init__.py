"""Use cases: what the API faces ask of battles, games and players."""
