from fastapi import APIRouter, HTTPException

from routers.projects import PROJECTS

router = APIRouter(prefix="/builder", tags=["builder"])

BUILDERS = {
    1: {"id": 1, "name": "Prestige Constructions", "city": "Bengaluru", "rera_id": "PRM/KA/RERA/1251", "years_active": 18, "rating": 4.4},
    2: {"id": 2, "name": "Aparna Homes", "city": "Hyderabad", "rera_id": "P02400001234", "years_active": 11, "rating": 4.1},
    3: {"id": 3, "name": "Lodha Group", "city": "Mumbai", "rera_id": "P51800000001", "years_active": 25, "rating": 4.6},
}


@router.get("/")
def list_builders():
    return list(BUILDERS.values())


@router.get("/{builder_id}")
def get_builder(builder_id: int):
    builder = BUILDERS.get(builder_id)
    if not builder:
        raise HTTPException(status_code=404, detail="Builder not found")
    return builder


@router.get("/{builder_id}/projects")
def builder_projects(builder_id: int):
    if builder_id not in BUILDERS:
        raise HTTPException(status_code=404, detail="Builder not found")
    return [p for p in PROJECTS if p['builder_id'] == builder_id]
