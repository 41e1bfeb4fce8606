"""The app factory: one FastAPI app serving the API under /api/v1 and the web pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import text

import aims
from aims.api import problems
from aims.api.middleware import LimitBodySize, SecurityHeaders
from aims.api.runtime import Runtime, build_runtime
from aims.api.schemas import PROBLEM_RESPONSES
from aims.config import Settings, get_settings
from aims.store.migrate import current_revision, head_revision
from aims.web.errors import LoginRequired, login_redirect
from aims.web.templating import STATIC


class HealthOut(BaseModel):
    status: str
    version: str
    database: str
    schema_revision: str | None
    schema_current: bool


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    catalog_path: Path | None = None,
    questionnaire_path: Path | None = None,
) -> FastAPI:
    """Build the app. A broken data file or configuration fails here, before serving."""
    settings = settings or get_settings()
    runtime = runtime or build_runtime(
        settings, catalog_path=catalog_path, questionnaire_path=questionnaire_path
    )
    app = FastAPI(
        title="aims API",
        version=aims.__version__,
        description=(
            "The REST API of aims, an AI management system for ISO/IEC 42001. Authenticate "
            "with a bearer token (`aims token create` or the API tokens page). Errors are "
            "RFC 9457 problem details."
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    problems.install(app)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Any:
        if request.url.path.startswith("/api/"):
            return problems.problem(
                401, "Not authenticated", "sign in first", slug="not-authenticated"
            )
        if request.headers.get("HX-Request"):
            return HTMLResponse("", status_code=401, headers={"HX-Redirect": "/login"})
        return login_redirect(request)

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title="aims API")

    @app.get("/api/v1/health", response_model=HealthOut, tags=["meta"], responses=PROBLEM_RESPONSES)
    def health() -> HealthOut:
        """Liveness and readiness: the database answers and the schema is current."""
        try:
            with runtime.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            revision = current_revision(runtime.engine)
            db_state = "ok"
        except Exception:
            revision, db_state = None, "unreachable"
        current = revision == head_revision()
        return HealthOut(
            status="ok" if db_state == "ok" and current else "degraded",
            version=aims.__version__,
            database=db_state,
            schema_revision=revision,
            schema_current=current,
        )

    from aims.access import api as access_api
    from aims.access import pages as access_pages
    from aims.audit import api as audit_api
    from aims.audit import pages as audit_pages
    from aims.catalog import api as catalog_api
    from aims.catalog import pages as catalog_pages
    from aims.changes import api as changes_api
    from aims.changes import pages as changes_pages
    from aims.comments import api as comments_api
    from aims.comments import pages as comments_pages
    from aims.communication import api as communication_api
    from aims.communication import pages as communication_pages
    from aims.competence import api as competence_api
    from aims.competence import pages as competence_pages
    from aims.concerns import api as concerns_api
    from aims.concerns import pages as concerns_pages
    from aims.context import api as context_api
    from aims.context import pages as context_pages
    from aims.controls import api as controls_api
    from aims.controls import pages as controls_pages
    from aims.documents import api as documents_api
    from aims.documents import pages as documents_pages
    from aims.evidence import api as evidence_api
    from aims.evidence import pages as evidence_pages
    from aims.impact import api as impact_api
    from aims.impact import pages as impact_pages
    from aims.leadership import api as leadership_api
    from aims.leadership import pages as leadership_pages
    from aims.measure import api as measure_api
    from aims.measure import pages as measure_pages
    from aims.objectives import api as objectives_api
    from aims.objectives import pages as objectives_pages
    from aims.regulation import api as regulation_api
    from aims.regulation import pages as regulation_pages
    from aims.risk import api as risk_api
    from aims.risk import pages as risk_pages
    from aims.systems import api as systems_api
    from aims.systems import pages as systems_pages
    from aims.techdoc import api as techdoc_api
    from aims.techdoc import pages as techdoc_pages
    from aims.web import pages as web_pages

    for router in (
        access_api.router,
        catalog_api.router,
        audit_api.router,
        comments_api.router,
        systems_api.router,
        regulation_api.router,
        impact_api.router,
        risk_api.router,
        leadership_api.router,
        changes_api.router,
        communication_api.router,
        concerns_api.router,
        competence_api.router,
        context_api.router,
        objectives_api.router,
        documents_api.router,
        techdoc_api.router,
        controls_api.router,
        evidence_api.router,
        measure_api.router,
    ):
        app.include_router(router)
    for router in (
        web_pages.router,
        catalog_pages.router,
        access_pages.router,
        audit_pages.router,
        comments_pages.router,
        systems_pages.router,
        regulation_pages.router,
        impact_pages.router,
        risk_pages.router,
        leadership_pages.router,
        changes_pages.router,
        communication_pages.router,
        concerns_pages.router,
        competence_pages.router,
        context_pages.router,
        objectives_pages.router,
        documents_pages.router,
        techdoc_pages.router,
        controls_pages.router,
        evidence_pages.router,
        measure_pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    app.add_middleware(LimitBodySize, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)
    return app
