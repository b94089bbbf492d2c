"""Sending SMS: one interface, a Twilio adapter for real messages, a console adapter for
development (prints the message; refused by the settings in staging/production)."""

import logging
from typing import Protocol

from app.settings import Settings, get_settings

log = logging.getLogger("app.sms")


class SmsProvider(Protocol):
    def send(self, to: str, body: str) -> None: ...


class ConsoleSms:
    def send(self, to: str, body: str) -> None:
        print(f"SMS to {to}: {body}", flush=True)


class TwilioSms:
    """Twilio's REST API (Messages resource) over HTTPS."""

    API = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"

    def __init__(self, account_sid: str, auth_token: str, from_number: str,
                 timeout: float = 10.0) -> None:
        self.account_sid, self.auth_token, self.from_number = account_sid, auth_token, from_number
        self.timeout = timeout

    def send(self, to: str, body: str) -> None:
        import httpx

        response = httpx.post(self.API.format(sid=self.account_sid),
                              data={"To": to, "From": self.from_number, "Body": body},
                              auth=(self.account_sid, self.auth_token), timeout=self.timeout)
        if response.status_code >= 400:
            log.error("twilio refused the message: %s", response.status_code)
            response.raise_for_status()


def get_sms_provider(settings: Settings | None = None) -> SmsProvider:
    settings = settings or get_settings()
    if settings.sms_provider == "twilio":
        missing = [n for n in ("twilio_account_sid", "twilio_auth_token", "twilio_from_number")
                   if not getattr(settings, n)]
        if missing:
            raise RuntimeError(f"SMS_PROVIDER=twilio needs {', '.join(m.upper() for m in missing)}")
        token = settings.twilio_auth_token
        return TwilioSms(str(settings.twilio_account_sid),
                         token.get_secret_value() if token else "",
                         str(settings.twilio_from_number))
    return ConsoleSms()
