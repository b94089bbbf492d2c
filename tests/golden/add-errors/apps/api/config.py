"""Settings from the environment (and `.env` for local runs): nothing secret has a default."""

import os
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import Depends
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # In the cluster every secret is a file in SECRETS_DIR (the mounted Secret), not a variable.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", secrets_dir=os.environ.get("SECRETS_DIR") or None
    )

    service_name: str = "api"
    environment: Literal["development", "test", "staging", "production"] = "development"
    port: int = Field(default=8000, ge=1024, le=65535)


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]


__version__ = "0.3.0"
