"""`install(app)`: cache the configured read routes, invalidate on writes, `/health/cache`,
warm at startup."""

from config import get_settings
from fastapi import FastAPI
from tasks.cache_warmer import warm_on_startup

from cache.decorators import CacheMiddleware
from cache.health import router


def install(app: FastAPI) -> None:
    settings = get_settings()
    app.add_middleware(CacheMiddleware, settings=settings)
    app.include_router(router)
    if settings.cache_warm_on_startup:
        warm_on_startup(app)
