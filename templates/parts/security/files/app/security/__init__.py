"""Security for the API: JWT validation middleware, login rate limit, OTP over SMS, refresh
tokens with rotation. `install(app)` wires all of it; routers call `otp` and `tokens`."""

from fastapi import FastAPI

from app.middleware.auth import JWTMiddleware
from app.security.rate_limit import LoginRateLimitMiddleware
from app.security.routes import router
from app.settings import get_settings


def install(app: FastAPI, *, add_cors: bool = False) -> None:
    settings = get_settings()
    app.include_router(router)
    app.add_middleware(JWTMiddleware, settings=settings)
    app.add_middleware(LoginRateLimitMiddleware, settings=settings)
    if add_cors:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
