"""Routes only other services may call (a service token, see app/clients.py)."""

from fastapi import APIRouter

from app.clients import CallingService
from app.settings import SettingsDep

router = APIRouter(prefix="/api/v1/internal", tags=["internal"])


@router.get("/ping")
def ping(caller: CallingService, settings: SettingsDep) -> dict[str, str]:
    return {"service": settings.service_name, "caller": caller}
