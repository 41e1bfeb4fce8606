"""The pure rules: which high-risk systems' event logs fall short, and how complete each section
of the technical documentation outline is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aims.techdoc.catalogue import annex_iv, log_catalogue
from aims.techdoc.rules import (
    Completeness,
    FlagCode,
    LogCatalogue,
    LogFacts,
    Mark,
    SectionState,
    completeness,
    log_flags,
    overall,
)

CAT = log_catalogue()
ART12 = frozenset({"risk_situations", "monitoring_signals", "operation_events"})
BIOMETRIC = frozenset({"use_periods", "matched_inputs", "reference_data", "identities"})


def codes(**kw: object) -> list[str]:
    return [f.code.value for f in log_flags(catalogue=CAT, **kw)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("high_risk", "biometric", "record", "expected"),
    [
        (False, False, None, []),
        (False, True, LogFacts(frozenset(), 1), []),
        (True, False, None, ["no_record"]),
        (True, False, LogFacts(ART12, 6), []),
        (True, False, LogFacts(ART12, 24), []),
        (True, False, LogFacts(ART12, 5), ["short_retention"]),
        (True, False, LogFacts(ART12, 0), ["short_retention"]),
        (True, False, LogFacts(ART12, None), ["no_retention"]),
        (True, False, LogFacts(ART12 - {"operation_events"}, 12), ["missing_captures"]),
        (True, False, LogFacts(frozenset(), 3), ["short_retention", "missing_captures"]),
        (True, True, LogFacts(ART12, 12), ["missing_captures"]),
        (True, True, LogFacts(ART12 | BIOMETRIC, 12), []),
    ],
)
def test_log_flags(
    high_risk: bool, biometric: bool, record: LogFacts | None, expected: list[str]
) -> None:
    assert codes(high_risk=high_risk, biometric=biometric, record=record) == expected


def test_missing_captures_are_named_in_our_words_and_the_minimum_is_data() -> None:
    (flag,) = log_flags(high_risk=True, biometric=False,
                        record=LogFacts(ART12 - {"monitoring_signals"}, 12), catalogue=CAT)  # fmt: skip
    assert flag.code == FlagCode.MISSING_CAPTURES and flag.field == "captures"
    assert flag.missing == ("monitoring_signals",) and "post-market monitoring" in flag.message
    twelve = LogCatalogue.model_validate(
        {**CAT.model_dump(), "policy": {"min_retention_months": 12, "retention_basis": "own"}}
    )
    short = log_flags(high_risk=True, biometric=False, record=LogFacts(ART12, 6),
                      catalogue=twelve)  # fmt: skip
    assert [f.code for f in short] == [FlagCode.SHORT_RETENTION] and "12 months" in short[0].message


def test_data_files_load_and_refuse_duplicates() -> None:
    assert CAT.policy.min_retention_months == 6
    assert annex_iv().ids[0] == "general" and len(annex_iv().ids) == 10
    with pytest.raises(ValueError, match="unique"):
        LogCatalogue.model_validate(
            {**CAT.model_dump(), "captures": [CAT.captures[0].model_dump()] * 2}
        )


M, P = Mark(None, True), Mark(None, False)


@pytest.mark.parametrize(
    ("marks", "present", "missing", "state"),
    [
        ([], 0, 0, SectionState.MISSING),
        ([M], 0, 1, SectionState.MISSING),
        ([P], 1, 0, SectionState.COMPLETE),
        ([P, P, M], 2, 1, SectionState.PARTIAL),
        # a present entry with the same key fills the gap a missing one marked
        ([Mark("controls", True), Mark("controls", False)], 1, 0, SectionState.COMPLETE),
        ([Mark("controls", False), Mark("controls", True)], 1, 0, SectionState.COMPLETE),
        # ... but not a gap under another key, nor one without a key
        ([Mark("controls", True), Mark("plan", False)], 1, 1, SectionState.PARTIAL),
        ([M, Mark("plan", False)], 1, 1, SectionState.PARTIAL),
        ([Mark("plan", True), Mark("plan", True)], 0, 2, SectionState.MISSING),
    ],
)
def test_section_completeness(
    marks: list[Mark], present: int, missing: int, state: SectionState
) -> None:
    found = completeness(marks)
    assert (found.present, found.missing, found.state) == (present, missing, state)


def test_overall_is_complete_only_when_every_section_is() -> None:
    done = Completeness(3, 0, SectionState.COMPLETE)
    assert overall([done, done]).state == SectionState.COMPLETE
    gap = overall([done, Completeness(0, 1, SectionState.MISSING)])
    assert (gap.state, gap.present, gap.missing, gap.percent) == (SectionState.PARTIAL, 3, 1, 75)
    assert overall([Completeness(0, 2, SectionState.MISSING)]).state == SectionState.MISSING


marks_st = st.lists(st.builds(Mark, st.sampled_from([None, "a", "b"]), st.booleans()), max_size=12)


@given(marks_st)
def test_completeness_counts_add_up(marks: list[Mark]) -> None:
    found = completeness(marks)
    assert found.present == sum(1 for m in marks if not m.missing)
    assert found.total <= len(marks)
    assert 0 <= found.percent <= 100
    assert (found.state == SectionState.COMPLETE) == (found.present > 0 and found.missing == 0)
    # adding a present entry never makes a section less complete
    more = completeness([*marks, Mark(None, False)])
    assert more.present == found.present + 1 and more.missing == found.missing


@given(
    st.booleans(),
    st.booleans(),
    st.frozensets(st.sampled_from(sorted(CAT.ids))),
    st.one_of(st.none(), st.integers(min_value=0, max_value=240)),
)
def test_only_high_risk_systems_are_flagged_and_a_full_record_never_is(
    high_risk: bool, biometric: bool, captures: frozenset[str], months: int | None
) -> None:
    flags = log_flags(high_risk=high_risk, biometric=biometric,
                      record=LogFacts(captures, months), catalogue=CAT)  # fmt: skip
    if not high_risk:
        assert flags == []
    required = {c.id for c in CAT.required(high_risk=True, biometric=biometric)}
    if high_risk and required <= captures and months is not None and months >= 6:
        assert flags == []
    if high_risk and months is not None and months < 6:
        assert FlagCode.SHORT_RETENTION in [f.code for f in flags]
