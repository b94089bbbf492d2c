"""Settings from the environment (and `.env` for local runs): nothing secret has a default."""

import os
import secrets
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import Depends
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # In the cluster every secret is a file in SECRETS_DIR (the mounted Secret), not a variable.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", secrets_dir=os.environ.get("SECRETS_DIR") or None
    )

    service_name: str = "api"
    environment: Literal["development", "test", "staging", "production"] = "development"
    port: int = Field(default=8000, ge=1024, le=65535)
    redis_url: str = "redis://localhost:6379/0"

    cors_origins: list[str] = ["http://localhost:3005", "http://localhost:3006"]
    # no default in staging/production; development/test get a random one per process
    jwt_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(48)), min_length=32
    )
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    access_token_minutes: int = Field(default=15, ge=1)
    refresh_token_days: int = Field(default=7, ge=1)
    login_rate_limit: int = Field(default=10, ge=1)
    login_rate_window_seconds: int = Field(default=900, ge=1)
    login_paths: list[str] = [r"^/(api/v\d+/)?auth/login$"]
    protected_paths: list[str] = [r"^/(api/v\d+/)?(agent|crm)(/|$)", r"^/(api/v\d+/)?auth/me$"]
    protect_writes: bool = True
    public_write_paths: list[str] = [r"^/(api/v\d+/)?auth/"]
    otp_ttl_seconds: int = Field(default=300, ge=30)
    otp_max_attempts: int = Field(default=5, ge=1)
    sms_provider: Literal["console", "twilio"] = "console"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _secrets_required_outside_development(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        environment = str(data.get("environment") or "development").lower()
        if environment in ("staging", "production"):
            missing = [name.upper() for name in ("jwt_secret", "redis_url") if not data.get(name)]
            if missing:
                raise ValueError(f"{', '.join(missing)} must be set in {environment}")
            if str(data.get("sms_provider") or "console") == "console":
                raise ValueError(f"SMS_PROVIDER=console sends no SMS; set twilio in {environment}")
        return data


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]


__version__ = "0.3.0"
