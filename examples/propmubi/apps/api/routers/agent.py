from fastapi import APIRouter, HTTPException

from routers.crm import LEADS

router = APIRouter(prefix="/agent", tags=["agent"])

AGENTS = [
    {"id": 1, "name": "Ravi Kumar", "phone": "+919800000001", "city": "Bengaluru", "rating": 4.7},
    {"id": 2, "name": "Sneha Reddy", "phone": "+919800000002", "city": "Hyderabad", "rating": 4.5},
]


@router.get("/")
def list_agents():
    return AGENTS


@router.get("/{agent_id}")
def get_agent(agent_id: int):
    agent = next((a for a in AGENTS if a["id"] == agent_id), None)
    if agent == None:
        raise HTTPException(status_code=404, detail="Agent not found")
    return agent


@router.get("/{agent_id}/leads")
def agent_leads(agent_id: int):
    get_agent(agent_id)
    return [l for l in LEADS if l["agent_id"] == agent_id]


@router.post("/{agent_id}/leads/{lead_id}/contacted")
def mark_contacted(agent_id: int, lead_id: int):
    for l in LEADS:
        if l["id"] == lead_id and l["agent_id"] == agent_id:
            l["status"] = "contacted"
            return l
    raise HTTPException(status_code=404, detail="Lead not assigned to this agent")
