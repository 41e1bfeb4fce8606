"""What a running app holds: settings, engine, session factory and the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from aims.catalog.loader import DEFAULT_FILE, Catalog, load_catalog
from aims.config import Settings
from aims.impact.questionnaire import DEFAULT_FILE as QUESTIONNAIRE_FILE
from aims.impact.questionnaire import load_questionnaire
from aims.store.engine import get_engine
from aims.store.registry import session_factory


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalog: Catalog


def build_runtime(
    settings: Settings,
    *,
    catalog_path: Path | None = None,
    questionnaire_path: Path | None = None,
) -> Runtime:
    """Connect to the database and load the data files; a broken one stops start-up."""
    catalog = load_catalog(catalog_path or DEFAULT_FILE)
    # The impact questionnaire is checked now (weights, ids, coverage), not on first use.
    load_questionnaire(questionnaire_path or QUESTIONNAIRE_FILE)
    engine = get_engine(settings.database_url)
    return Runtime(settings, engine, session_factory(engine), catalog)
