"""One-time passwords: a random 6-digit code, kept in Redis (hashed) for `otp_ttl_seconds`
(5 minutes), sent by SMS; `verify_otp` accepts it once, and at most `otp_max_attempts` wrong
guesses before the code is void.

    from security.otp import send_otp, verify_otp     # in the login / verify routes
    send_otp(body.phone)
    if not verify_otp(body.phone, body.otp): raise UnauthorizedError("invalid OTP")"""

import hashlib
import hmac
import secrets

from cache.redis_client import get_store
from config import Settings, get_settings

from security.sms import get_sms_provider


def _digest(phone: str, code: str) -> str:
    return hashlib.sha256(f"{phone}:{code}".encode()).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def send_otp(phone: str, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    code = new_code()
    store = get_store(settings)
    store.set(f"otp:{phone}", _digest(phone, code), settings.otp_ttl_seconds)
    store.pop(f"otp:attempts:{phone}")
    minutes = max(settings.otp_ttl_seconds // 60, 1)
    get_sms_provider(settings).send(
        phone, f"Your verification code is {code}. It expires in {minutes} minutes."
    )


def verify_otp(phone: str, code: str, settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    store = get_store(settings)
    expected = store.get(f"otp:{phone}")
    if expected is None:
        return False
    if hmac.compare_digest(expected, _digest(phone, code)):
        store.pop(f"otp:{phone}")
        store.pop(f"otp:attempts:{phone}")
        return True
    attempts, _ = store.incr_window(f"otp:attempts:{phone}", settings.otp_ttl_seconds)
    if attempts >= settings.otp_max_attempts:
        store.pop(f"otp:{phone}")
    return False
