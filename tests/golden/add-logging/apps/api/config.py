"""Settings from the environment (and `.env` for local runs): nothing secret has a default."""

import os
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import Depends
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # In the cluster every secret is a file in SECRETS_DIR (the mounted Secret), not a variable.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", secrets_dir=os.environ.get("SECRETS_DIR") or None
    )

    service_name: str = "api"
    environment: Literal["development", "test", "staging", "production"] = "development"
    port: int = Field(default=8000, ge=1024, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True

    @model_validator(mode="before")
    @classmethod
    def _log_level_per_environment(cls, data: Any) -> Any:
        """DEBUG in development, INFO elsewhere, unless LOG_LEVEL says otherwise."""
        if isinstance(data, dict) and not data.get("log_level"):
            development = str(data.get("environment") or "development") == "development"
            data = {**data, "log_level": "DEBUG" if development else "INFO"}
        return data


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]


__version__ = "0.3.0"
