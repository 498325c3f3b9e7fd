"""A server run in a background daemon thread, shared by the Web API and Socket Mode servers."""

from __future__ import annotations

import threading
from collections.abc import Callable


class ServingThread:
    """Runs `serve_forever` in a daemon thread. stop() calls `shutdown` only when the loop runs (both
    http.server's and websockets' shutdown wait for a running loop), then `close` frees the port."""

    def __init__(
        self,
        name: str,
        serve_forever: Callable[[], None],
        shutdown: Callable[[], None],
        close: Callable[[], None],
    ) -> None:
        self._serving_thread = threading.Thread(target=serve_forever, name=name, daemon=True)
        self._serving_shutdown = shutdown
        self._serving_close = close

    def start(self) -> None:
        self._serving_thread.start()

    def stop(self) -> None:
        if self._serving_thread.is_alive():
            self._serving_shutdown()
            self._serving_thread.join(timeout=5)
        self._serving_close()
