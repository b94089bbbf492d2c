"""`GET /health/cache`: is Redis answering, and the fleet's hit rate."""

from typing import Any

from config import SettingsDep
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from cache.decorators import stats
from cache.redis_client import StoreUnavailable, get_store, uses_memory

router = APIRouter(tags=["health"])


@router.get("/health/cache")
def cache_health(settings: SettingsDep) -> Any:
    try:
        get_store(settings).ping()
        figures = stats(settings)
    except StoreUnavailable as exc:
        return JSONResponse({"status": "down", "error": str(exc)}, status_code=503)
    return {"status": "up", "backend": "memory" if uses_memory(settings) else "redis", **figures}
