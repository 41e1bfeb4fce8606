"""Controlled vocabularies of the inventory (ISO/IEC 22989 roles and life cycle, and ours)."""

from __future__ import annotations

from enum import StrEnum

# The EU AI Act operator roles are the regulation's own vocabulary; the inventory uses it too.
from aims.regulation.schemas import OperatorRole as OperatorRole


class LifecycleStage(StrEnum):
    """ISO/IEC 22989 / 5338 life-cycle stages."""

    INCEPTION = "inception"
    DESIGN_DEVELOPMENT = "design_and_development"
    VERIFICATION_VALIDATION = "verification_and_validation"
    DEPLOYMENT = "deployment"
    OPERATION_MONITORING = "operation_and_monitoring"
    CONTINUOUS_VALIDATION = "continuous_validation"
    RE_EVALUATION = "re_evaluation"
    RETIREMENT = "retirement"


class AIRole(StrEnum):
    """The organisation's role for a system in ISO/IEC 22989 terms."""

    PROVIDER = "ai_provider"
    PRODUCER = "ai_producer"
    CUSTOMER = "ai_customer"
    PARTNER = "ai_partner"
    SUBJECT = "ai_subject"
    RELEVANT_AUTHORITY = "relevant_authority"


class AutomationLevel(StrEnum):
    """How much the system decides on its own, and where people stand."""

    ASSISTIVE = "assistive"  # suggests; a person decides each case
    HUMAN_IN_THE_LOOP = "human_in_the_loop"  # acts only after a person confirms
    HUMAN_ON_THE_LOOP = "human_on_the_loop"  # acts; people monitor and can intervene
    FULLY_AUTOMATED = "fully_automated"  # acts with no routine human involvement


class DecisionRole(StrEnum):
    """Whether the system makes or supports decisions about natural persons."""

    NONE = "none"
    SUPPORTS = "supports"
    MAKES = "makes"


class VulnerableGroup(StrEnum):
    CHILDREN = "children"
    ELDERLY = "elderly"
    PERSONS_WITH_DISABILITIES = "persons_with_disabilities"
    ECONOMICALLY_VULNERABLE = "economically_vulnerable"
    EMPLOYEES = "employees"  # a dependent relationship with the deployer
    MIGRANTS = "migrants"
    OTHER = "other"


class ComponentKind(StrEnum):
    MODEL = "model"
    DATASET = "dataset"
    TOOLING = "tooling"
    COMPUTE = "compute"


class PartyKind(StrEnum):
    SUPPLIER = "supplier"
    MANUFACTURER = "manufacturer"
    PUBLISHER = "publisher"
    DATA_PROVIDER = "data_provider"
    CLOUD_PROVIDER = "cloud_provider"
    OTHER = "other"
