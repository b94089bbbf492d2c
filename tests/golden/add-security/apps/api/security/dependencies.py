"""JWT validation for protected routes and a rate limit for login-like routes.

    @router.get("/orders", dependencies=[Depends(require_user)])
    @router.post("/login", dependencies=[Depends(login_rate_limit)])

The limit is per client address and route, counted in this process: behind the gateway (which
limits across replicas) it is the second line of defence."""

import threading
import time
from typing import Annotated, Any

import jwt
from config import Settings, SettingsDep
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

bearer = HTTPBearer(auto_error=False)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def decode_token(token: str, settings: Settings) -> dict[str, Any]:
    options = {"require": ["exp", "sub"]}
    try:
        return jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            options=options,
        )
    except jwt.ExpiredSignatureError:
        raise _unauthorized("token expired") from None
    except jwt.InvalidTokenError as exc:
        raise _unauthorized(f"invalid token: {exc}") from None


def require_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    settings: SettingsDep,
) -> dict[str, Any]:
    if credentials is None:
        raise _unauthorized("missing bearer token")
    return decode_token(credentials.credentials, settings)


class RateLimiter:
    """Fixed window per key: at most `limit` calls per `window` seconds."""

    def __init__(self) -> None:
        self._hits: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window: int) -> int:
        """Seconds to wait, 0 when the call is allowed."""
        now = time.monotonic()
        with self._lock:
            start, count = self._hits.get(key, (now, 0))
            if now - start >= window:
                start, count = now, 0
            if count >= limit:
                return max(1, int(window - (now - start)))
            self._hits[key] = (start, count + 1)
            return 0


limiter = RateLimiter()
User = Annotated[dict[str, Any], Depends(require_user)]


def login_rate_limit(request: Request, settings: SettingsDep) -> None:
    client = request.client.host if request.client else "unknown"
    wait = limiter.hit(
        f"{client}:{request.url.path}",
        settings.login_rate_limit,
        settings.login_rate_window_seconds,
    )
    if wait:
        raise HTTPException(
            status_code=429,
            detail="too many attempts; retry later",
            headers={"Retry-After": str(wait)},
        )
