"""The API's exceptions: raise these in routers instead of HTTPException. Each has a stable
`code` that clients can rely on; the global handler turns them into
{"error": {"status", "code", "message", "correlation_id"}}.

    raise NotFoundError("project not found", details={"project_id": project_id})"""

from typing import Any

from middleware.error_handler import ServiceError


class ApiError(ServiceError):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message, status=type(self).status, code=type(self).code, details=details)


class BadRequestError(ApiError):
    status, code = 400, "bad_request"


class UnauthorizedError(ApiError):
    status, code = 401, "unauthorized"


class ForbiddenError(ApiError):
    status, code = 403, "forbidden"


class NotFoundError(ApiError):
    status, code = 404, "not_found"


class ConflictError(ApiError):
    status, code = 409, "conflict"


class ValidationFailedError(ApiError):
    status, code = 422, "validation_error"


class RateLimitedError(ApiError):
    status, code = 429, "rate_limited"


class DependencyUnavailableError(ApiError):
    status, code = 503, "dependency_unavailable"
