"""Evidence tests keep their files in a temporary evidence directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aims.config import get_settings


@pytest.fixture(autouse=True)
def evidence_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "evidence-store"
    monkeypatch.setenv("AIMS_EVIDENCE_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()
