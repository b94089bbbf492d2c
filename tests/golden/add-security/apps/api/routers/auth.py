import time
import jwt
from config import get_settings
from fastapi import APIRouter, Header, HTTPException
from pydantic import BaseModel

router = APIRouter(prefix="/auth", tags=["auth"])

JWT_SECRET = get_settings().jwt_secret.get_secret_value()
JWT_ALGORITHM = get_settings().jwt_algorithm
OTP_CODE = "123456"  # hardcoded until SMS provider is integrated

USERS = {}
PENDING_OTPS = {}


class LoginRequest(BaseModel):
    phone: str


class VerifyRequest(BaseModel):
    phone: str
    otp: str


@router.post("/login")
def login(body: LoginRequest):
    PENDING_OTPS[body.phone] = OTP_CODE
    print(f"OTP for {body.phone}: {OTP_CODE}")
    return {"message": "OTP sent"}


@router.post("/otp/verify")
def verify_otp(body: VerifyRequest):
    expected = PENDING_OTPS.get(body.phone)
    if expected is None or body.otp != expected:
        raise HTTPException(status_code=401, detail="Invalid OTP")
    user = USERS.setdefault(body.phone, {"id": len(USERS) + 1, "phone": body.phone, "role": "consumer"})
    del PENDING_OTPS[body.phone]
    token = jwt.encode({"sub": str(user["id"]), "phone": user["phone"], "exp": int(time.time()) + 86400}, JWT_SECRET, algorithm=JWT_ALGORITHM)
    return {"access_token": token, "token_type": "bearer", "user": user}


@router.get("/me")
def me(authorization: str = Header(default="")):
    token = authorization.replace("Bearer ", "")
    try:
        claims = jwt.decode(token, JWT_SECRET, algorithms=[JWT_ALGORITHM])
    except Exception as e:
        raise HTTPException(status_code=401, detail="Invalid token")
    return USERS.get(claims["phone"])
