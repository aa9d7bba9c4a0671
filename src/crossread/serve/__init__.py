"""``crossread serve``: a local, read-only web app over the store.

Pages for stories (search, filters, sorts), one story, an actor, an outlet and an article, and a JSON
API under ``/api/`` with the same views; see :mod:`crossread.serve.app` for the routes and
:mod:`crossread.serve.queries` for what each reads (a page at a time, never the whole store).
"""

from __future__ import annotations

from typing import Any

from crossread.serve.app import LOCAL_HOSTS, create_app

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "create_app", "run"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def run(store: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, title: str = "crossread",
        announce: Any = print) -> None:
    """Serve the app over an open :class:`~crossread.store.Store` with uvicorn until interrupted.

    Binds to ``host`` (the loopback address by default: only this computer can connect) and accepts
    requests that name that host or this machine's loopback names.
    """
    import uvicorn

    allowed = LOCAL_HOSTS + ([host] if host not in LOCAL_HOSTS else [])
    if host in ("0.0.0.0", "::"):  # every interface: the user chose to be reachable by any name
        allowed = ["*"]
    app = create_app(store, title=title, allowed_hosts=allowed)
    shown = f"[{host}]" if ":" in host else host
    where = "only this computer can connect" if host in ("127.0.0.1", "localhost", "::1") else \
        "reachable from other machines on the network"
    announce(f"crossread: serving {store.url} read-only at http://{shown}:{port}/ (bound to {host}: {where}); "
             "Ctrl+C stops")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
