from fastapi.testclient import TestClient

from main import app

client = TestClient(app)


def test_create_assign_and_list_lead(sign_in):
    token = sign_in(client, "+919844444444")["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/crm/leads", json={"name": "Asha", "phone": "+919833333333", "project_id": 1},
                    headers=auth)
    assert r.status_code == 201
    lead_id = r.json()["id"]
    client.post(f"/crm/leads/{lead_id}/assign", params={"agent_id": 1}, headers=auth)
    leads = client.get("/agent/1/leads", headers=auth).json()
    assert any(l["id"] == lead_id and l["status"] == "assigned" for l in leads)
