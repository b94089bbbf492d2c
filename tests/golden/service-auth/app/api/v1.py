"""Version 1 of the service's API. Add routers here; they are all under `/api/v1`."""

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from app import __version__
from app.auth import User, decode_token, login_rate_limit
from app.settings import SettingsDep

router = APIRouter(prefix="/api/v1")


class TokenIn(BaseModel):
    token: str


@router.get("/info")
def info(settings: SettingsDep) -> dict[str, str]:
    return {"service": settings.service_name, "version": __version__, "api": "v1"}


@router.get("/me")
def me(claims: User) -> dict[str, Any]:
    return claims


@router.post("/auth/verify", dependencies=[Depends(login_rate_limit)])
def verify(body: TokenIn, settings: SettingsDep) -> dict[str, Any]:
    return decode_token(body.token, settings)
