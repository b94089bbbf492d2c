from typing import List, Optional
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

router = APIRouter(prefix="/projects", tags=["projects"])

# in-memory "database" until we get Postgres wired up
PROJECTS = [
    {"id": 1, "name": "Skyline Residency", "city": "Bengaluru", "builder_id": 1, "price_from": 8500000, "lat": 12.9716, "lng": 77.5946, "status": "under_construction", "trust_score": 82},
    {"id": 2, "name": "Lakeview Towers", "city": "Hyderabad", "builder_id": 2, "price_from": 6200000, "lat": 17.3850, "lng": 78.4867, "status": "ready", "trust_score": 74},
    {"id": 3, "name": "Green Meadows", "city": "Bengaluru", "builder_id": 1, "price_from": 5400000, "lat": 13.0358, "lng": 77.5970, "status": "launched", "trust_score": 68},
    {"id": 4, "name": "Harbour Heights", "city": "Mumbai", "builder_id": 3, "price_from": 21000000, "lat": 19.0760, "lng": 72.8777, "status": "ready", "trust_score": 91},
]


class ProjectIn(BaseModel):
    name: str
    city: str
    builder_id: int
    price_from: int
    lat: float
    lng: float
    status: str = "launched"


@router.get("/feed")
def project_feed(city: Optional[str] = None, limit: int = 20, offset: int = 0):
    items = PROJECTS
    if city != None:
        items = [p for p in items if p["city"].lower() == city.lower()]
    items = sorted(items, key=lambda p: p["trust_score"], reverse=True)
    return {"items": items[offset:offset+limit], "total": len(items)}


@router.get("/map")
def project_map():
    return [{"id": p["id"], "name": p["name"], "lat": p["lat"], "lng": p["lng"]} for p in PROJECTS]


@router.get("/{project_id}")
def get_project(project_id: int):
    for p in PROJECTS:
        if p["id"] == project_id:
            return p
    raise HTTPException(status_code=404, detail="Project not found")


@router.post("/", status_code=201)
def create_project(project: ProjectIn):
    new = project.model_dump()
    new["id"] = max(p["id"] for p in PROJECTS) + 1
    new["trust_score"] = 50
    PROJECTS.append(new)
    return new
