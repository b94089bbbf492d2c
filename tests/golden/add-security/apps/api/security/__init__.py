"""Security for the API: JWT validation middleware, login rate limit, OTP over SMS, refresh
tokens with rotation. `install(app)` wires all of it; routers call `otp` and `tokens`."""

from config import get_settings
from fastapi import FastAPI
from middleware.auth import JWTMiddleware

from security.rate_limit import LoginRateLimitMiddleware
from security.routes import router


def install(app: FastAPI, *, add_cors: bool = False) -> None:
    settings = get_settings()
    app.include_router(router)
    app.add_middleware(JWTMiddleware, settings=settings)
    app.add_middleware(LoginRateLimitMiddleware, settings=settings)
    if add_cors:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )


def cors_outermost(app: FastAPI) -> None:
    """Move the CORS middleware outside every other layer (call it last), so the answers those
    layers write themselves (401, 429, errors) carry CORS headers a browser lets the page read."""
    from fastapi.middleware.cors import CORSMiddleware

    cors = [m for m in app.user_middleware if getattr(m, "cls", None) is CORSMiddleware]
    rest = [m for m in app.user_middleware if m not in cors]
    app.user_middleware[:] = cors + rest  # index 0 is the outermost
