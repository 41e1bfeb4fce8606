"""Pure rules of the evidence store: what a file really is (by its content, never its name),
which links are allowed, a safe download name, and when an item is expiring or expired."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from datetime import date, timedelta
from enum import StrEnum
from urllib.parse import urlsplit


class Kind(StrEnum):
    FILE = "file"
    LINK = "link"
    RECORD = "record"


class Validity(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"


PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
TEXT = "text/plain"
JSON = "application/json"
MARKDOWN = "text/markdown"

TEXT_TYPES = (CSV, TEXT, JSON, MARKDOWN)
# The file name endings each type may carry; a name that says one type and content that is
# another is refused (a PNG named .pdf, a script named .csv are both "disguised").
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    CSV: (".csv",),
    JSON: (".json",),
    MARKDOWN: (".md", ".markdown"),
    TEXT: (".txt", ".text", ".log", ""),
}
# Declared types that say nothing (browsers send these for unknown files).
VAGUE = {"", "application/octet-stream", "binary/octet-stream"}
# Declared types accepted beside the exact one (what common clients send for these files).
ALSO_DECLARED: dict[str, set[str]] = {
    CSV: {"application/vnd.ms-excel", "application/csv", "text/plain", "text/x-csv"},
    MARKDOWN: {"text/x-markdown", "text/plain"},
    JSON: {"text/json", "text/plain"},
    DOCX: {"application/zip"},
    XLSX: {"application/zip"},
    JPEG: {"image/jpg", "image/pjpeg"},
}


def _zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return "." + name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""


def sniff(data: bytes, filename: str) -> str | None:
    """The media type of ``data`` judged by its bytes, or None when it is not one aims keeps.

    Binary types are known by their magic bytes (a DOCX or XLSX is a ZIP holding the parts
    that make it one); text is whatever decodes as UTF-8 without NUL bytes, and its name then
    says which text (CSV, JSON, Markdown, else plain text).
    """
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if not data or b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    ext = _extension(filename)
    for kind in (CSV, JSON, MARKDOWN):
        if ext in EXTENSIONS[kind]:
            return kind
    return TEXT


def refusal(detected: str | None, filename: str, declared: str | None) -> str | None:
    """Why the file is refused (415), or None when its content, name and declared type agree."""
    ext = _extension(filename)
    if detected is None:
        return (
            "the file's content is not a type aims keeps as evidence (PDF, PNG, JPEG, DOCX, "
            "XLSX, or UTF-8 text: CSV, JSON, Markdown, plain text)"
        )
    if ext not in EXTENSIONS[detected] and not (detected == TEXT and ext in _TEXTISH):
        return f"the file is named '{ext}' but its content is {detected}"
    base = (declared or "").split(";", 1)[0].strip().lower()
    if base not in VAGUE and base != detected and base not in ALSO_DECLARED.get(detected, set()):
        return f"the file was sent as {base} but its content is {detected}"
    return None


# Plain-text names beyond .txt that are still plain text (never a binary type's name).
_TEXTISH = {".yaml", ".yml", ".xml"}


def link_problem(url: str) -> str | None:
    """Why a link is refused, or None: only absolute http(s) addresses with a host."""
    text = url.strip()
    if not text or len(text) > 2000:
        return "give an http:// or https:// address of at most 2000 characters"
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        return "an address has no spaces or control characters"
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "only http:// or https:// addresses with a host are allowed"
    return None


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, media_type: str) -> str:
    """An ASCII download name: no path, no quotes or control characters, a fitting ending."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = _UNSAFE.sub("_", base).strip("._-")[:120] or "evidence"
    endings = EXTENSIONS.get(media_type, ())
    if endings and endings[0] and not base.lower().endswith(tuple(e for e in endings if e)):
        base = f"{base}{endings[0]}"
    return base


def validity(valid_until: date | None, today: date, days: int = 30) -> Validity:
    """Expired after its last valid day; expiring when that day falls within ``days``."""
    if valid_until is None:
        return Validity.VALID
    if valid_until < today:
        return Validity.EXPIRED
    if valid_until <= today + timedelta(days=days):
        return Validity.EXPIRING
    return Validity.VALID
