from fastapi.testclient import TestClient

from main import app

client = TestClient(app)


def test_login_then_verify_otp():
    assert client.post("/auth/login", json={"phone": "+919811111111"}).status_code == 200
    r = client.post("/auth/otp/verify", json={"phone": "+919811111111", "otp": "123456"})
    assert r.status_code == 200
    token = r.json()["access_token"]
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["phone"] == "+919811111111"


def test_wrong_otp_rejected():
    client.post("/auth/login", json={"phone": "+919822222222"})
    r = client.post("/auth/otp/verify", json={"phone": "+919822222222", "otp": "000000"})
    assert r.status_code == 401
