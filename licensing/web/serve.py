"""Serving the page: `licet serve` in the foreground, or a server in a
background thread (tests, the screenshots script) on a port the system picks.

Bound to a loopback address (the default, 127.0.0.1) the page answers only to
the loopback host names, so a web page elsewhere cannot reach it by pointing
a name at 127.0.0.1; bound to any other address it answers to any name and
has no authentication, which `licet serve` says before it starts.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from ..engine import Engine
from .app import DEFAULT_MAX_BODY, create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address or name (only this machine can connect)."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str) -> list[str] | None:
    """The Host names the page answers to: the loopback names when bound to
    loopback, any when bound to another address."""
    return [*LOOPBACK_NAMES, host.strip("[]").lower()] if is_loopback(host) else None


def url_of(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    return f"http://[{shown}]:{port}" if ":" in shown and not shown.startswith("[") else f"http://{shown}:{port}"


def _config(engine: Engine, host: str, port: int, max_body: int) -> uvicorn.Config:
    app = create_app(engine, max_body=max_body, allowed_hosts=allowed_hosts(host))
    return uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="off",
        # a slow or idle client cannot hold the server: bounded connections and idle time
        limit_concurrency=64, timeout_keep_alive=5, server_header=False, proxy_headers=False,
    )


def run(engine: Engine, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, max_body: int = DEFAULT_MAX_BODY) -> None:
    """Serve until interrupted."""
    uvicorn.Server(_config(engine, host, port, max_body)).run()


@contextmanager
def background(engine: Engine | None = None, host: str = DEFAULT_HOST, *, max_body: int = DEFAULT_MAX_BODY) -> Iterator[str]:
    """A server in a thread on a free port of `host`; yields its URL and stops it after."""
    engine = engine or Engine()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(_config(engine, host, port, max_body))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="licet-serve")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the licet web server did not start")
        time.sleep(0.02)
    try:
        yield url_of(host, port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
