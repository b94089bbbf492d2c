from datetime import datetime, timezone
import uuid
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

router = APIRouter(prefix="/crm", tags=["crm"])

LEADS = []


class LeadIn(BaseModel):
    name: str
    phone: str
    project_id: int
    message: str = ""


@router.post("/leads", status_code=201)
def create_lead(lead: LeadIn):
    record = lead.model_dump()
    record.update({"id": len(LEADS) + 1, "status": "new", "agent_id": None,
        "created_at": datetime.now(timezone.utc).isoformat()})
    LEADS.append(record)
    return record


@router.get("/leads")
def list_leads(status: str = None):
    if status:
        return [l for l in LEADS if l["status"] == status]
    return LEADS


@router.get("/leads/{lead_id}")
def get_lead(lead_id: int):
    for l in LEADS:
        if l["id"] == lead_id:
            return l
    raise HTTPException(status_code=404, detail="Lead not found")


@router.post("/leads/{lead_id}/assign")
def assign_lead(lead_id: int, agent_id: int):
    lead = get_lead(lead_id)
    lead["agent_id"] = agent_id
    lead["status"] = "assigned"
    return lead
