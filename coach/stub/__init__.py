"""A local Messages API that the official SDKs cannot tell from the real one, with scripted faults.

`scenario` says what to break, `server` speaks the API on an aiohttp web server, `journal`
records every request and answer (the grader judges from it), `runner` runs a server on
its own thread for synchronous callers. All times are scenario time (`coach.clock`).
"""
