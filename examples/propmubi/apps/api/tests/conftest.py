import re

import pytest


@pytest.fixture
def sign_in(capsys):
    """Log in the way a user does: ask for an OTP, read it from the message the app printed
    (the development SMS), verify it; returns the verify response's JSON."""

    def sign_in(client, phone):
        capsys.readouterr()
        assert client.post("/auth/login", json={"phone": phone}).status_code == 200
        printed = [line for line in capsys.readouterr().out.splitlines() if phone in line]
        codes = re.findall(r"(?<!\d)(\d{6})(?!\d)", printed[-1] if printed else "")
        assert codes, "the app printed no OTP for " + phone
        r = client.post("/auth/otp/verify", json={"phone": phone, "otp": codes[-1]})
        assert r.status_code == 200, r.text
        return r.json()

    return sign_in
