"""Pure rules of concern reporting: receipt codes, the rate-limit key, field limits, who
handles, and what closing a concern needs. No database, web or I/O here."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta

from aims.access.rules import Role
from aims.concerns.vocab import CLOSED_STATUSES, Status

# Field limits: the forms and the API refuse longer input with an error beside the field.
SUMMARY_MAX = 200
DESCRIPTION_MAX = 5000
OCCURRED_MAX = 200
CONTACT_MAX = 300
NOTE_MAX = 5000
OUTCOME_MAX = 5000
MESSAGE_MAX = 2000
INTRO_MAX = 2000

# The public form: at most this many submissions per client address and organisation per
# window, counted in the database so that every app instance shares the count.
PUBLIC_LIMIT = 5
PUBLIC_WINDOW = timedelta(minutes=10)
# A public form body larger than this is refused before it is parsed.
PUBLIC_MAX_BODY = 64 * 1024

DEFAULT_HANDLERS = (Role.OWNER, Role.MANAGER)

# Receipt codes: 20 symbols of Crockford's base32 (100 bits), shown in groups of four.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_receipt_code() -> str:
    """A fresh receipt code, e.g. ``7K2M-QW9D-...``; only its hash is ever stored."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str | None:
    """The code as typed (any case, spaces, dashes, O for 0) in canonical form; None if it
    cannot be a receipt code."""
    cleaned = re.sub(r"[\s\-]", "", text).upper().translate(_CONFUSABLE)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def receipt_hash(code: str) -> str | None:
    """What is stored for a receipt code (SHA-256 of the canonical form)."""
    canonical = normalise_code(code)
    if canonical is None:
        return None
    return hashlib.sha256(f"aims-concern-receipt:{canonical}".encode()).hexdigest()


def new_link_token() -> str:
    """The unguessable part of the public intake link (192 bits)."""
    return secrets.token_urlsafe(24)


def new_salt() -> str:
    return secrets.token_hex(32)


def attempt_key(salt: str, organisation_id: str, client: str) -> str:
    """The rate-limit key: a keyed hash of the organisation and the client address. The
    address itself is never stored."""
    message = f"{organisation_id}\n{client}".encode()
    return hmac.new(bytes.fromhex(salt), message, hashlib.sha256).hexdigest()


def over_limit(recent_attempts: int, limit: int = PUBLIC_LIMIT) -> bool:
    """True when the attempts in the window (this one included) exceed the limit."""
    return recent_attempts > limit


def handler_roles(chosen: Iterable[str | Role]) -> list[Role]:
    """The roles that handle concerns: the owner always (someone must), then those chosen,
    in the order of the roles."""
    wanted = {Role(r) for r in chosen} | {Role.OWNER}
    return [r for r in Role if r in wanted]


def format_ref(number: int) -> str:
    return f"C-{number:03d}"


def closing_problem(status: Status, outcome: str) -> str | None:
    """Why a concern may not take this status (None when it may)."""
    if status in CLOSED_STATUSES and not outcome.strip():
        return f"say what was found or decided (the outcome) before marking it {status.value}"
    return None
