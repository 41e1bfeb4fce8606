"""Controlled vocabularies of an impact (ISO/IEC 42005 impacts; A.5.4 and A.5.5 audiences)."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Affected(StrEnum):
    """Who bears the impact: A.5.4 covers individuals and groups, A.5.5 society."""

    INDIVIDUALS = "individuals"
    GROUPS = "groups"
    SOCIETY = "society"


class Dimension(StrEnum):
    FAIRNESS = "fairness"
    PRIVACY = "privacy"
    SAFETY = "safety"
    AUTONOMY = "autonomy"
    TRANSPARENCY = "transparency"
    ACCESSIBILITY = "accessibility"
    ENVIRONMENT = "environment"
    WORK = "work"
    OTHER_RIGHTS = "other_rights"
    SECURITY = "security"
    MISUSE = "misuse"

    @property
    def label(self) -> str:
        return DIMENSION_LABELS[self]


DIMENSION_LABELS: dict[Dimension, str] = {
    Dimension.FAIRNESS: "Fairness and non-discrimination",
    Dimension.PRIVACY: "Privacy and data protection",
    Dimension.SAFETY: "Safety and health",
    Dimension.AUTONOMY: "Human autonomy and oversight",
    Dimension.TRANSPARENCY: "Transparency and explainability",
    Dimension.ACCESSIBILITY: "Accessibility",
    Dimension.ENVIRONMENT: "Environment",
    Dimension.WORK: "Work and economic situation",
    Dimension.OTHER_RIGHTS: "Other fundamental rights (EU Charter)",
    Dimension.SECURITY: "Security",
    Dimension.MISUSE: "Foreseeable misuse",
}


class Nature(StrEnum):
    BENEFIT = "benefit"
    HARM = "harm"


class Likelihood(IntEnum):
    RARE = 1
    POSSIBLE = 2
    LIKELY = 3
    ALMOST_CERTAIN = 4

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()


class Severity(IntEnum):
    MINOR = 1
    MODERATE = 2
    SERIOUS = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()


class Reversibility(StrEnum):
    REVERSIBLE = "reversible"
    HARD_TO_REVERSE = "hard_to_reverse"
    IRREVERSIBLE = "irreversible"


class PeopleAffected(StrEnum):
    """An order of magnitude is what matters; exact counts are rarely known."""

    UNDER_100 = "under_100"
    UP_TO_10K = "100_to_10k"
    UP_TO_1M = "10k_to_1m"
    OVER_1M = "over_1m"

    @property
    def label(self) -> str:
        return PEOPLE_LABELS[self]


PEOPLE_LABELS: dict[PeopleAffected, str] = {
    PeopleAffected.UNDER_100: "fewer than 100",
    PeopleAffected.UP_TO_10K: "100 to 10,000",
    PeopleAffected.UP_TO_1M: "10,000 to 1 million",
    PeopleAffected.OVER_1M: "more than 1 million",
}
