from fastapi.testclient import TestClient

from main import app

client = TestClient(app)


def test_root():
    r = client.get("/")
    assert r.status_code == 200
    assert r.json()["message"] == "Propmubi API is running"


def test_feed_sorted_by_trust_score():
    r = client.get("/projects/feed")
    assert r.status_code == 200
    scores = [p["trust_score"] for p in r.json()["items"]]
    assert scores == sorted(scores, reverse=True)


def test_feed_filters_by_city():
    r = client.get("/projects/feed", params={"city": "bengaluru"})
    assert {p["city"] for p in r.json()["items"]} == {"Bengaluru"}


def test_map_has_coordinates():
    r = client.get("/projects/map")
    assert all("lat" in p and "lng" in p for p in r.json())


def test_unknown_project_is_404():
    assert client.get("/projects/999").status_code == 404


def test_builder_by_id():
    r = client.get("/builder/1")
    assert r.status_code == 200
    assert r.json()["name"] == "Prestige Constructions"
