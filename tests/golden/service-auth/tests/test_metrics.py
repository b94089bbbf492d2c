def _sample(text: str, prefix: str) -> float:
    lines = [line for line in text.splitlines() if line.startswith(prefix)]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


def test_requests_are_counted_by_route_template(client) -> None:
    before = _sample(
        client.get("/metrics").text, 'http_requests_total{method="GET",path="/health",status="200"}'
    )
    client.get("/health")
    client.get("/health")
    text = client.get("/metrics").text
    after = _sample(text, 'http_requests_total{method="GET",path="/health",status="200"}')
    assert after == before + 2
    assert "http_request_duration_seconds_bucket" in text


def test_unknown_paths_share_one_label(client) -> None:
    client.get("/no/such/page/12345")
    text = client.get("/metrics").text
    assert 'path="unmatched"' in text and "12345" not in text
