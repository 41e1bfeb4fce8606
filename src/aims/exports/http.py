"""A produced file as an HTTP download: one place for the headers every export sends."""

from __future__ import annotations

from starlette.responses import Response


def attachment(content: bytes | str, media_type: str, filename: str) -> Response:
    """The file as a download with its (already safe, ASCII) name."""
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
