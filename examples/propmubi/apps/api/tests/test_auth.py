from fastapi.testclient import TestClient

from main import app

client = TestClient(app)


def test_login_then_verify_otp(sign_in):
    token = sign_in(client, "+919811111111")["access_token"]
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["phone"] == "+919811111111"


def test_wrong_otp_rejected():
    client.post("/auth/login", json={"phone": "+919822222222"})
    r = client.post("/auth/otp/verify", json={"phone": "+919822222222", "otp": "not-it"})
    assert r.status_code == 401
