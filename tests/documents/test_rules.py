"""Pure rules: sanitising (a table of attacks), diffs, review dates, quorum, audience,
completion and the AI policy checklist."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aims.approval.rules import Status, edit_refusal, transition_refusal
from aims.documents import rules
from aims.documents.checklist import get_checklist


@pytest.mark.parametrize(
    ("markdown", "absent", "present"),
    [
        ("<script>alert(1)</script>", "<script", "&lt;script&gt;"),
        ("<img src=x onerror=alert(1)>", "<img", "&lt;img"),
        ("[x](javascript:alert(1))", 'href="javascript', "[x](javascript:alert(1))"),
        ("[x](JaVaScRiPt:alert(1))", "href=", "[x]"),
        ("[x](vbscript:msgbox(1))", "href=", "[x]"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "href=", "[x]"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe", "&lt;iframe"),
        ('<a href="https://x.example" onclick="steal()">x</a>', "<a ", "&lt;a href"),
        ("<style>body{display:none}</style>", "<style", "&lt;style&gt;"),
        ("![pic](https://tracker.example/p.gif)", "<img", ""),
        ("[ok](https://example.org)", "javascript", 'rel="noopener noreferrer"'),
        ("[mail](mailto:dpo@example.org)", "<script", 'href="mailto:dpo@example.org"'),
        ("# Title\n\n**bold** and _em_", "<script", "<h1>Title</h1>"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "style=", "<td>1</td>"),
    ],
)
def test_sanitising(markdown: str, absent: str, present: str) -> None:
    html = rules.render_markdown(markdown)
    assert absent not in html
    assert present in html


@pytest.mark.parametrize(
    ("html", "absent"),
    [
        ("<p onmouseover='x()'>hi</p>", "onmouseover"),
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ("<script>bad()</script><p>ok</p>", "bad()"),
        ('<a href="https://x.example" target="_blank">x</a>', "target"),
        ('<div style="position:fixed">x</div>', "style"),
    ],
)
def test_sanitiser_strips_what_a_parser_might_let_through(html: str, absent: str) -> None:
    assert absent not in rules.sanitise_html(html)


@given(st.text(max_size=300))
def test_no_text_renders_an_active_tag_or_handler(text: str) -> None:
    html = rules.render_markdown(text).lower()
    for bad in ("<script", "<iframe", "<img", "<style", "<object", 'href="javascript', " on"):
        if bad == " on":
            assert "<a on" not in html and "<p on" not in html
        else:
            assert bad not in html


def test_headings_offer_sections() -> None:
    assert rules.headings("# 1 Purpose\n\ntext\n\n## 2 Scope\n") == ["1 Purpose", "2 Scope"]


def test_diff_lines_and_unified() -> None:
    lines = rules.diff_lines("a\nb\nc", "a\nB\nc\nd")
    assert [(x.kind, x.text) for x in lines] == [
        ("same", "a"),
        ("removed", "b"),
        ("added", "B"),
        ("same", "c"),
        ("added", "d"),
    ]
    unified = rules.unified_diff("a\nb", "a\nc", from_name="r1", to_name="r2")
    assert unified.splitlines()[:2] == ["--- r1", "+++ r2"]
    assert "-b" in unified and "+c" in unified


@given(
    st.lists(st.text(alphabet="abc\n", max_size=5), max_size=8),
    st.lists(st.text(alphabet="abc\n", max_size=5), max_size=8),
)
def test_diff_keeps_every_line_of_both_sides(a: list[str], b: list[str]) -> None:
    before, after = "\n".join(a), "\n".join(b)
    lines = rules.diff_lines(before, after)
    assert [x.text for x in lines if x.kind != "added"] == before.splitlines()
    assert [x.text for x in lines if x.kind != "removed"] == after.splitlines()


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 3, 1), 12, date(2027, 3, 1)),
        (date(2026, 5, 31), 24, date(2028, 5, 31)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert rules.add_months(start, months) == expected


def test_review_dates() -> None:
    assert rules.next_review(None, 12) is None
    assert rules.next_review(date(2026, 1, 1), 12) == date(2027, 1, 1)
    assert rules.review_overdue(date(2026, 1, 1), date(2026, 1, 2))
    assert not rules.review_overdue(date(2026, 1, 2), date(2026, 1, 2))
    assert not rules.review_overdue(None, date(2026, 1, 2))


def test_quorum_counts_people_once() -> None:
    q = rules.quorum(["a", "a", "b"], 3)
    assert (q.given, q.needed, q.met, q.label) == (2, 3, False, "2 of 3 approvals")
    assert rules.quorum(["a"], 0).met  # at least one approval, whatever is asked


def test_audience() -> None:
    members = {"ann": "owner", "bob": "viewer", "cy": "viewer", "dee": "manager"}
    assert rules.audience(members, people=[], roles=[], everyone=True) == set(members)
    assert rules.audience(members, people=["ann", "zed"], roles=["viewer"], everyone=False) == {
        "ann",
        "bob",
        "cy",
    }


@pytest.mark.parametrize(
    ("flags", "label"),
    [
        ([], "0 of 0 (100 %)"),
        ([True, False, False], "1 of 3 (33 %)"),
        ([True] * 199 + [False], "199 of 200 (99 %)"),
        ([True, True], "2 of 2 (100 %)"),
    ],
)
def test_completion(flags: list[bool], label: str) -> None:
    assert rules.completion(flags).label == label


def test_checklist_gaps_need_a_section() -> None:
    ids = ["purpose", "requirements", "exceptions"]
    marks = {
        "purpose": {"addressed": True, "section": "1"},
        "requirements": {"addressed": True, "section": " "},
        "exceptions": "junk",
    }
    assert rules.gaps(ids, marks) == ["requirements", "exceptions"]


def test_the_checklist_data_loads_with_the_items_5_2_needs() -> None:
    checklist = get_checklist()
    for needed in (
        "purpose",
        "objectives_framework",
        "requirements",
        "continual_improvement",
        "exceptions",
        "topic_policies",
    ):
        assert checklist.item(needed) is not None
    assert len(set(checklist.ids)) == len(checklist.ids)


@pytest.mark.parametrize(
    ("action", "status", "allowed"),
    [
        ("retire", Status.APPROVED, True),
        ("retire", Status.DRAFT, False),
        ("retire", Status.SUPERSEDED, False),
        ("retire", Status.RETIRED, False),
        ("approve", Status.RETIRED, False),
        ("submit", Status.RETIRED, False),
    ],
)
def test_retire_transition(action: str, status: Status, allowed: bool) -> None:
    assert (transition_refusal(action, status) is None) is allowed
    assert edit_refusal(Status.RETIRED) is not None
