"""Small files of each kind the evidence store accepts, made in memory."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 24
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode"
CSV = b"group,selection_rate\nunder 60,0.41\nover 60,0.38\n"


def office(kind: str) -> bytes:
    part = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
    return buf.getvalue()


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("payload.bin", "x")
    return buf.getvalue()
