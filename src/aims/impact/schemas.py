"""The impact assessment process settings (A.5.2), with aims's defaults."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aims.access.rules import Permission, Role, has_permission
from aims.api.schemas import StrictIn
from aims.impact.rules import ImpactLevel


class LevelSetting(BaseModel):
    """One impact level: what it means here and how often a system at it is reassessed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    level: ImpactLevel
    label: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=2000)
    reassess_months: int = Field(ge=1, le=60)


class Triggers(BaseModel):
    """When an assessment is required (besides the periodic reassessment per level)."""

    model_config = ConfigDict(extra="forbid")

    new_system: bool = True
    significant_change: bool = True
    eu_ai_act_class_change: bool = True
    periodic: bool = True


class ImpactSettingsData(StrictIn):
    triggers: Triggers = Field(default_factory=Triggers)
    levels: list[LevelSetting] = Field(
        default_factory=lambda: [
            LevelSetting(level=ImpactLevel.I, label="Little to no impact", reassess_months=24),
            LevelSetting(level=ImpactLevel.II, label="Moderate impact", reassess_months=12),
            LevelSetting(level=ImpactLevel.III, label="High impact", reassess_months=12),
            LevelSetting(level=ImpactLevel.IV, label="Very high impact", reassess_months=6),
        ]
    )
    thresholds: list[float] = Field(
        default_factory=lambda: [0.25, 0.5, 0.75],
        description="Upper bounds (share of the maximum impact score) of levels I, II and III",
    )
    approver_roles: list[Role] = Field(default_factory=lambda: [Role.OWNER, Role.MANAGER])
    harm_risk_level: ImpactLevel = Field(
        default=ImpactLevel.III,
        description="Harms at or above this residual level can be sent to the risk register",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        levels = [s.level for s in self.levels]
        if sorted(levels, key=lambda lv: lv.rank) != list(ImpactLevel):
            raise ValueError("levels must list I, II, III and IV once each")
        if (
            len(self.thresholds) != 3
            or not 0 < self.thresholds[0] < self.thresholds[1] < self.thresholds[2] < 1
        ):
            raise ValueError("thresholds must be three increasing shares between 0 and 1")
        if not self.approver_roles or any(
            not has_permission(r, Permission.APPROVE) for r in self.approver_roles
        ):
            raise ValueError("approver_roles must be roles that may approve (owner, manager)")
        return self


class ImpactSettingsIn(ImpactSettingsData):
    version: int = Field(description="The version you last read (0 before the first save)")


class ImpactSettingsOut(ImpactSettingsData):
    version: int
    saved: bool = Field(description="False while the organisation still uses the defaults")
