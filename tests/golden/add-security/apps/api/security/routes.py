"""`POST /auth/refresh` (rotation) and `POST /auth/logout` (revokes the refresh token)."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from security.tokens import revoke, rotate

router = APIRouter(prefix="/auth", tags=["auth"])


class RefreshRequest(BaseModel):
    refresh_token: str


@router.post("/refresh")
def refresh(body: RefreshRequest) -> dict[str, Any]:
    return rotate(body.refresh_token)


@router.post("/logout", status_code=204)
def logout(body: RefreshRequest) -> None:
    revoke(body.refresh_token)
