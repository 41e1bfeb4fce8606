"""Where evidence files live: one file per content, named by its SHA-256, under the evidence
directory (``AIMS_EVIDENCE_DIR``; by default an ``evidence`` folder beside the SQLite file, or
./evidence). Nothing here is under the web root: files are only served through the checked
download route.

Writes are atomic: the bytes go to a temporary file in the same directory, are flushed to disk
and renamed into place, so a reader never sees half a file. The blob is written before the
database row; if the transaction then fails, the blob stays as an orphan (harmless, and the
same content uploaded again reuses it). Nothing deletes blobs, so a soft-deleted item can be
restored with its file.

Backups: ``aims backup`` writes the database tables only (items keep the SHA-256, name, type
and size of their file, not its bytes). Back up the evidence directory beside it, e.g. with
``rsync -a`` or ``cp -rn``: blobs never change once written, so copying only new files is
enough, and after a restore each item's ``sha256`` says which blob it needs.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from aims.config import Settings, get_settings
from aims.errors import NotFound

_SHA = re.compile(r"^[0-9a-f]{64}$")


def evidence_dir(settings: Settings | None = None) -> Path:
    """The configured evidence directory (not created here)."""
    settings = settings or get_settings()
    if settings.evidence_dir:
        return Path(settings.evidence_dir).expanduser()
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().resolve().parent / "evidence"
    return Path("evidence").resolve()


def path_of(sha256: str, settings: Settings | None = None) -> Path:
    if not _SHA.match(sha256):
        raise NotFound("no such file")
    return evidence_dir(settings) / sha256[:2] / sha256


def store(data: bytes, settings: Settings | None = None) -> str:
    """Keep ``data`` once under its SHA-256 and return the digest."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(digest, settings)
    if target.exists() and target.stat().st_size == len(data):
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def read(sha256: str, settings: Settings | None = None) -> bytes:
    target = path_of(sha256, settings)
    try:
        return target.read_bytes()
    except FileNotFoundError as exc:
        raise NotFound("the evidence file is missing from the evidence directory") from exc
