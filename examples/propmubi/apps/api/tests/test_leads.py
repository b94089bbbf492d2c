import re

from fastapi.testclient import TestClient

from main import app

client = TestClient(app)


def token_for(capsys, phone):
    """The OTP the app printed (the development SMS) -> an access token."""
    capsys.readouterr()
    client.post("/auth/login", json={"phone": phone})
    printed = [line for line in capsys.readouterr().out.splitlines() if phone in line]
    otp = re.findall(r"(?<!\d)(\d{6})(?!\d)", printed[-1])[-1]
    return client.post("/auth/otp/verify", json={"phone": phone, "otp": otp}).json()["access_token"]


def test_create_assign_and_list_lead(capsys):
    auth = {"Authorization": f"Bearer {token_for(capsys, '+919844444444')}"}
    r = client.post("/crm/leads", json={"name": "Asha", "phone": "+919833333333", "project_id": 1},
                    headers=auth)
    assert r.status_code == 201
    lead_id = r.json()["id"]
    client.post(f"/crm/leads/{lead_id}/assign", params={"agent_id": 1}, headers=auth)
    leads = client.get("/agent/1/leads", headers=auth).json()
    assert any(l["id"] == lead_id and l["status"] == "assigned" for l in leads)
