"""Fixtures of the browser tests: a live server on a demo database, and Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from aims.api.app import create_app
from aims.config import Settings
from aims.demo.service import load_demo
from aims.store import migrate
from aims.store.engine import Actor, build_engine, unit_of_work
from aims.store.registry import session_factory

REQUIRE_BROWSER = os.environ.get("AIMS_REQUIRE_BROWSER") == "1"


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "Chromium not found (Debian package 'chromium')"
        if REQUIRE_BROWSER:
            pytest.fail(message + "; AIMS_REQUIRE_BROWSER=1 requires it")
        pytest.skip(message + "; browser tests skipped")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path: Path = tmp_path_factory.mktemp("live") / "aims.db"
    url = f"sqlite:///{path}"
    engine = build_engine(url)
    migrate.upgrade(engine)
    with unit_of_work(session_factory(engine), Actor(None, None, "aims demo")) as db:
        load_demo(db)
    engine.dispose()
    port = _free_port()
    app = create_app(Settings(database_url=url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()
