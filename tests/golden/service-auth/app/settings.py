"""Settings from the environment (and `.env` for local runs): nothing secret has a default."""

import os
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import Depends
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # In the cluster every secret is a file in SECRETS_DIR (the mounted Secret), not a variable.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", secrets_dir=os.environ.get("SECRETS_DIR") or None
    )

    service_name: str = "auth-service"
    environment: Literal["development", "test", "staging", "production"] = "development"
    port: int = Field(default=3001, ge=1024, le=65535)
    jwt_secret: SecretStr = Field(min_length=32)
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    login_rate_limit: int = Field(default=5, ge=1)
    login_rate_window_seconds: int = Field(default=60, ge=1)
    database_url: str = "postgresql+psycopg://localhost:5432/auth"
    redis_url: str = "redis://localhost:6379/0"
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
    service_token_secret: SecretStr | None = Field(default=None, min_length=32)
    service_token_ttl_seconds: int = Field(default=60, ge=5, le=900)
    service_urls: dict[str, str] = Field(default_factory=dict)
    service_timeout_seconds: float = Field(default=2.0, gt=0)
    service_retries: int = Field(default=2, ge=0, le=5)
    service_retry_backoff_seconds: float = Field(default=0.1, ge=0)
    breaker_fail_max: int = Field(default=5, ge=1)
    breaker_reset_seconds: float = Field(default=30.0, gt=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]
