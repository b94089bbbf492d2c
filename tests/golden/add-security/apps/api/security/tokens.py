"""Access and refresh tokens. The access token is short-lived (15 minutes); the refresh token
(7 days) is single-use: `rotate` accepts it once, revokes it and returns a new pair, so a stolen
refresh token that is used after its owner used it fails (and vice versa).

    from security.tokens import issue_tokens
    return issue_tokens(str(user["id"]), {"phone": user["phone"], "role": user["role"]})"""

import time
import uuid
from typing import Any

import jwt
from cache.redis_client import get_store
from config import Settings, get_settings
from fastapi import HTTPException

from security.dependencies import decode_token


def _encode(claims: dict[str, Any], settings: Settings) -> str:
    for name in ("issuer", "audience"):
        value = getattr(settings, f"jwt_{name}")
        if value:
            claims["iss" if name == "issuer" else "aud"] = value
    return jwt.encode(
        claims, settings.jwt_secret.get_secret_value(), algorithm=settings.jwt_algorithm
    )


def issue_tokens(
    subject: str, claims: dict[str, Any] | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    settings = settings or get_settings()
    now = int(time.time())
    access_ttl = settings.access_token_minutes * 60
    refresh_ttl = settings.refresh_token_days * 86400
    jti = uuid.uuid4().hex
    access = _encode(
        {**(claims or {}), "sub": subject, "typ": "access", "iat": now, "exp": now + access_ttl},
        settings,
    )
    refresh = _encode(
        {
            "sub": subject,
            "typ": "refresh",
            "jti": jti,
            "iat": now,
            "exp": now + refresh_ttl,
            "claims": claims or {},
        },
        settings,
    )
    get_store(settings).set(f"refresh:{jti}", subject, refresh_ttl)
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": access_ttl,
    }


def _refresh_claims(token: str, settings: Settings) -> dict[str, Any]:
    claims = decode_token(token, settings)
    if claims.get("typ") != "refresh" or not claims.get("jti"):
        raise HTTPException(status_code=401, detail="not a refresh token")
    return claims


def rotate(refresh_token: str, settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or get_settings()
    claims = _refresh_claims(refresh_token, settings)
    owner = get_store(settings).pop(f"refresh:{claims['jti']}")
    if owner != claims["sub"]:
        raise HTTPException(status_code=401, detail="refresh token already used or revoked")
    return issue_tokens(claims["sub"], claims.get("claims") or {}, settings)


def revoke(refresh_token: str, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    get_store(settings).pop(f"refresh:{_refresh_claims(refresh_token, settings)['jti']}")
