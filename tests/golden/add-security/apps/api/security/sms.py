"""Sending SMS: one interface, a Twilio adapter for real messages, a console adapter for
development (prints the message; refused by the settings in staging/production)."""

import logging
from typing import Protocol

from config import Settings, get_settings

log = logging.getLogger("app.sms")


class SmsProvider(Protocol):
    def send(self, to: str, body: str) -> None: ...


class ConsoleSms:
    def send(self, to: str, body: str) -> None:
        print(f"SMS to {to}: {body}", flush=True)


class TwilioSms:
    """Twilio's Messages API through the official SDK (`pip install twilio`)."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str) -> None:
        from twilio.rest import Client

        self.client = Client(account_sid, auth_token)
        self.from_number = from_number

    def send(self, to: str, body: str) -> None:
        from twilio.base.exceptions import TwilioRestException

        try:
            self.client.messages.create(to=to, from_=self.from_number, body=body)
        except TwilioRestException as exc:
            log.error("twilio refused the message to %s: %s", to[-4:], exc.code)
            raise


def get_sms_provider(settings: Settings | None = None) -> SmsProvider:
    settings = settings or get_settings()
    if settings.sms_provider == "twilio":
        missing = [
            n
            for n in ("twilio_account_sid", "twilio_auth_token", "twilio_from_number")
            if not getattr(settings, n)
        ]
        if missing:
            raise RuntimeError(f"SMS_PROVIDER=twilio needs {', '.join(m.upper() for m in missing)}")
        token = settings.twilio_auth_token
        return TwilioSms(
            str(settings.twilio_account_sid),
            token.get_secret_value() if token else "",
            str(settings.twilio_from_number),
        )
    return ConsoleSms()
