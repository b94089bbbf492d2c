import re

from fastapi.testclient import TestClient

from main import app

client = TestClient(app)


def sign_in(capsys, phone):
    """Log in as a user does: ask for an OTP, read it from the message the app printed (the
    development SMS), verify it."""
    capsys.readouterr()
    assert client.post("/auth/login", json={"phone": phone}).status_code == 200
    printed = [line for line in capsys.readouterr().out.splitlines() if phone in line]
    codes = re.findall(r"(?<!\d)(\d{6})(?!\d)", printed[-1] if printed else "")
    assert codes, "the app printed no OTP for " + phone
    r = client.post("/auth/otp/verify", json={"phone": phone, "otp": codes[-1]})
    assert r.status_code == 200, r.text
    return r.json()


def test_login_then_verify_otp(capsys):
    token = sign_in(capsys, "+919811111111")["access_token"]
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["phone"] == "+919811111111"


def test_wrong_otp_rejected():
    client.post("/auth/login", json={"phone": "+919822222222"})
    r = client.post("/auth/otp/verify", json={"phone": "+919822222222", "otp": "not-it"})
    assert r.status_code == 401
