"""`install(app)`: cache the configured read routes, invalidate on writes, `/health/cache`,
warm at startup."""

from fastapi import FastAPI

from app.cache.decorators import CacheMiddleware
from app.cache.health import router
from app.settings import get_settings
from app.tasks.cache_warmer import warm_on_startup


def install(app: FastAPI) -> None:
    settings = get_settings()
    app.add_middleware(CacheMiddleware, settings=settings)
    app.include_router(router)
    if settings.cache_warm_on_startup:
        warm_on_startup(app)
