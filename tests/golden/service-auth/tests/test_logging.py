import json
import logging

from app.logs import HEADER, JsonFormatter, correlation_id


def test_a_valid_incoming_id_is_echoed(client) -> None:
    response = client.get("/health", headers={HEADER: "abc-123"})
    assert response.headers[HEADER] == "abc-123"


def test_a_missing_or_unsafe_id_is_replaced(client) -> None:
    first = client.get("/health").headers[HEADER]
    second = client.get("/health", headers={HEADER: "bad id\twith spaces"}).headers[HEADER]
    assert len(first) == 32 and len(second) == 32 and first != second


def test_log_lines_are_json_with_the_correlation_id() -> None:
    token = correlation_id.set("cid-1")
    try:
        record = logging.LogRecord("app", logging.INFO, __file__, 1, "hello %s", ("x",), None)
        line = json.loads(JsonFormatter("svc").format(record))
    finally:
        correlation_id.reset(token)
    assert line["message"] == "hello x" and line["correlation_id"] == "cid-1"
    assert line["service"] == "svc" and line["level"] == "INFO"


def test_access_log_carries_the_request_id(client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        client.get("/api/v1/info", headers={HEADER: "trace-me"})
    records = [r for r in caplog.records if r.name == "app.access"]
    assert records and records[-1].fields["status"] == 200
    assert records[-1].fields["path"] == "/api/v1/info"
