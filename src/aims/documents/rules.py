"""Pure rules for controlled documents: safe rendering, diffs, review dates, quorum, coverage.

No database, web or file access here: everything is a function of its arguments.
"""

from __future__ import annotations

import calendar
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import nh3
from markdown_it import MarkdownIt


class Kind(StrEnum):
    POLICY = "policy"
    PROCEDURE = "procedure"
    WORK_INSTRUCTION = "work_instruction"
    RECORD_TEMPLATE = "record_template"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Classification(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


# --- Safe rendering ---------------------------------------------------------------------------

# What a rendered body may contain: structure and emphasis, never scripts, styles or frames.
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable(["table", "strikethrough"])


def sanitise_html(html: str) -> str:
    """Keep only the allow-listed tags and attributes; links get rel and safe schemes only."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown as HTML that is safe to show as is: raw HTML in the source stays text, and the
    result is sanitised once more (defence in depth against a parser surprise)."""
    return sanitise_html(_MARKDOWN.render(text or ""))


def markdown_tokens(text: str) -> list[Any]:
    """The parsed Markdown (raw HTML off), for layouts other than HTML (the DOCX export)."""
    return list(_MARKDOWN.parse(text or ""))


def headings(text: str) -> list[str]:
    """The section headings of a body, in order (offered as 'where' an item is addressed)."""
    tokens = markdown_tokens(text)
    found = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and i + 1 < len(tokens):
            found.append(str(tokens[i + 1].content).strip())
    return [h for h in found if h]


# --- Comparing versions -------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    """One line of a side-by-side reading: ``kind`` is "same", "added" or "removed"."""

    kind: str
    text: str


def diff_lines(before: str, after: str) -> list[DiffLine]:
    """Every line of both texts, each marked as kept, added or removed."""
    out: list[DiffLine] = []
    for line in difflib.ndiff((before or "").splitlines(), (after or "").splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "+ ":
            out.append(DiffLine("added", text))
        elif tag == "- ":
            out.append(DiffLine("removed", text))
        elif tag == "  ":
            out.append(DiffLine("same", text))
    return out


def unified_diff(before: str, after: str, *, from_name: str, to_name: str) -> str:
    """The change as a unified diff (what ``diff -u`` prints)."""
    return "\n".join(
        difflib.unified_diff(
            (before or "").splitlines(),
            (after or "").splitlines(),
            fromfile=from_name,
            tofile=to_name,
            lineterm="",
        )
    )


# --- Review dates ---------------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months; the 31st becomes the last day of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def next_review(since: date | None, interval_months: int | None) -> date | None:
    """When a document is next due for review: its interval after it took effect or was last
    reviewed (no date without both)."""
    if since is None or not interval_months:
        return None
    return add_months(since, interval_months)


def review_overdue(due: date | None, today: date) -> bool:
    return due is not None and due < today


# --- Approval quorum --------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    given: int
    needed: int

    @property
    def met(self) -> bool:
        return self.given >= self.needed

    @property
    def label(self) -> str:
        return f"{min(self.given, self.needed)} of {self.needed} approvals"


def quorum(approver_ids: Iterable[object], needed: int) -> Quorum:
    """How far the approvals of a version have come: distinct people count once."""
    return Quorum(len({str(a) for a in approver_ids}), max(1, needed))


# --- Awareness ----------------------------------------------------------------------------------


def audience(
    members: Mapping[Any, str], *, people: Iterable[Any], roles: Iterable[str], everyone: bool
) -> set[Any]:
    """Who a publication reaches: named people, plus everyone holding one of the roles, or all
    members. ``members`` maps each current member to their role; strangers are ignored."""
    if everyone:
        return set(members)
    wanted_roles = set(roles)
    chosen = {p for p in people if p in members}
    chosen |= {m for m, role in members.items() if role in wanted_roles}
    return chosen


@dataclass(frozen=True)
class Completion:
    done: int
    total: int

    @property
    def percent(self) -> int:
        """Whole per cent, rounded down so 99.6 % does not read as complete."""
        return 100 if self.total == 0 else (self.done * 100) // self.total

    @property
    def outstanding(self) -> int:
        return self.total - self.done

    @property
    def label(self) -> str:
        return f"{self.done} of {self.total} ({self.percent} %)"


def completion(acknowledged: Iterable[bool]) -> Completion:
    flags = list(acknowledged)
    return Completion(sum(1 for f in flags if f), len(flags))


# --- The AI policy checklist ---------------------------------------------------------------------


@dataclass(frozen=True)
class ItemState:
    item_id: str
    addressed: bool
    section: str


def checklist_state(item_ids: Iterable[str], marks: Mapping[str, Any]) -> list[ItemState]:
    """Each checklist item as marked in a version; unknown or malformed marks read as a gap.

    An item counts as addressed only with the section that addresses it: "addressed,
    somewhere" is no evidence.
    """
    states = []
    for item_id in item_ids:
        mark = marks.get(item_id)
        section = ""
        addressed = False
        if isinstance(mark, Mapping):
            section = str(mark.get("section") or "").strip()
            addressed = bool(mark.get("addressed")) and bool(section)
        states.append(ItemState(item_id, addressed, section))
    return states


def gaps(item_ids: Iterable[str], marks: Mapping[str, Any]) -> list[str]:
    """The checklist items a version does not (yet) address, in checklist order."""
    return [s.item_id for s in checklist_state(item_ids, marks) if not s.addressed]
