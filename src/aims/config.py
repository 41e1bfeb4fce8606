"""Settings read from the environment (prefix ``AIMS_``), one object for the whole process."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process-wide settings; every field can be set as ``AIMS_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="AIMS_", extra="ignore")

    database_url: str = "sqlite:///./aims.db"
    # Sessions and cookies
    session_hours: int = Field(default=12, ge=1)
    cookie_secure: bool = False  # set true behind HTTPS; localhost development runs on http
    # Failed-login throttling: at most `login_max_failures` within `login_window_minutes`
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    # API tokens
    token_default_days: int = Field(default=90, ge=1)
    token_max_days: int = Field(default=366, ge=1)
    # Request bodies (uploads come later; the limit applies to every request now)
    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Evidence files: the largest upload accepted (kept below max_request_bytes so the
    # evidence service, not the body limit, answers), and where blobs are stored. An empty
    # evidence_dir means an "evidence" folder beside the SQLite file, else ./evidence.
    max_upload_bytes: int = Field(default=8 * 1024 * 1024, ge=1)
    evidence_dir: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses, or "*").
    # Empty: the client address is the connection's, as it must be without a proxy; behind one,
    # every visitor would share one address and one rate-limit allowance on public forms.
    trusted_proxies: str = ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests clear the cache when they change env)."""
    return Settings()
