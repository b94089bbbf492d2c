"""The auth-service application: every concern is installed here, in one place."""

from fastapi import FastAPI

from app import __version__
from app.api.v1 import router as v1_router
from app.errors import install as install_errors
from app.health import router as health_router
from app.internal import router as internal_router
from app.logs import install as install_logging
from app.metrics import install as install_metrics
from app.settings import Settings, get_settings
from app.versioning import install as install_versioning


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Auth service",
        version=__version__,
        docs_url="/api/v1/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    install_errors(app)
    app.include_router(health_router)
    app.include_router(v1_router)
    app.include_router(internal_router)
    install_versioning(app)
    install_metrics(app)
    install_logging(app, settings)
    return app


app = create_app()
