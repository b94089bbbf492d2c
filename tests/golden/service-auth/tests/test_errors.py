from fastapi import APIRouter

from app.errors import ServiceError

router = APIRouter()


@router.get("/boom")
def boom() -> None:
    raise RuntimeError("secret internals")


@router.get("/teapot")
def teapot() -> None:
    raise ServiceError("no coffee here", status=418, code="teapot")


def test_not_found_is_structured(client) -> None:
    response = client.get("/nope", headers={"X-Correlation-ID": "c-404"})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found" and error["correlation_id"] == "c-404"


def test_unhandled_error_hides_internals(client) -> None:
    client.app.include_router(router)
    response = client.get("/boom")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error" and "secret" not in response.text
    assert error["correlation_id"] == response.headers["X-Correlation-ID"]


def test_service_error_keeps_status_and_code(client) -> None:
    client.app.include_router(router)
    response = client.get("/teapot")
    assert response.status_code == 418 and response.json()["error"]["code"] == "teapot"


def test_validation_error_lists_details(client, make_token) -> None:
    response = client.post("/api/v1/auth/verify", json={"wrong": 1})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["details"]
