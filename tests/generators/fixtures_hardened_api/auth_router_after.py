from fastapi import APIRouter, Request
from pydantic import BaseModel

from exceptions import UnauthorizedError
from security.otp import send_otp, verify_otp
from security.tokens import issue_tokens

router = APIRouter(prefix="/auth", tags=["auth"])

USERS = {}


class LoginRequest(BaseModel):
    phone: str


class VerifyRequest(BaseModel):
    phone: str
    otp: str


@router.post("/login")
def login(body: LoginRequest):
    send_otp(body.phone)
    return {"message": "OTP sent"}


@router.post("/otp/verify")
def verify(body: VerifyRequest):
    if not verify_otp(body.phone, body.otp):
        raise UnauthorizedError("Invalid OTP")
    user = USERS.setdefault(body.phone, {"id": len(USERS) + 1, "phone": body.phone, "role": "consumer"})
    return {**issue_tokens(str(user["id"]), {"phone": user["phone"], "role": user["role"]}), "user": user}


@router.get("/me")
def me(request: Request):
    return USERS.get(request.state.user["phone"])
