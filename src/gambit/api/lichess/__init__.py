"""The lichess face: the part of lichess's API that lichess-bot and berserk use, at
lichess's own paths (``/api/...``, no ``/v1``), with lichess's field names and errors.

Routes use `errors.LichessRoute`; callers come from `gambit.api.auth` (`Caller`,
`requires_scope`, `BotCaller`, `BoardCaller`), as on the rest of the API.
"""
