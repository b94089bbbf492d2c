"""Run inside the hardened example's apps/api (copied into its tests/) with REDIS_URL set to a
real, private Redis database: rate limit, OTP storage, refresh rotation and the cache, observed
both through the API and in Redis itself."""

import os
import re
import time

import redis
from fastapi.testclient import TestClient

from main import app

R = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
PROJECT = {"name": "Probe Towers", "city": "Pune", "builder_id": 1, "price_from": 1,
           "lat": 18.5, "lng": 73.8}


def otp_for(capsys, c, phone):
    capsys.readouterr()
    assert c.post("/api/v1/auth/login", json={"phone": phone}).status_code == 200
    return re.findall(r"(?<!\d)(\d{6})(?!\d)", capsys.readouterr().out)[-1]


def test_the_11th_login_in_the_window_is_429_with_retry_after():
    R.flushdb()
    with TestClient(app) as c:
        answers = [c.post("/api/v1/auth/login", json={"phone": "+15550100001"})
                   for _ in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert answers[-1].json()["error"]["code"] == "rate_limited"
    assert 0 < int(answers[-1].headers["retry-after"]) <= 900
    assert R.get("ratelimit:login:testclient") == "11"
    assert 890 <= R.ttl("ratelimit:login:testclient") <= 900


def test_otp_is_hashed_in_redis_for_five_minutes_and_single_use(capsys):
    R.flushdb()
    phone = "+15550100002"
    with TestClient(app) as c:
        code = otp_for(capsys, c, phone)
        stored = R.get(f"otp:{phone}")
        assert stored and code not in stored
        assert 290 <= R.ttl(f"otp:{phone}") <= 300
        wrong = "000000" if code != "000000" else "111111"
        assert c.post("/api/v1/auth/otp/verify", json={"phone": phone, "otp": wrong}).status_code == 401
        ok = c.post("/api/v1/auth/otp/verify", json={"phone": phone, "otp": code})
        assert ok.status_code == 200
        again = c.post("/api/v1/auth/otp/verify", json={"phone": phone, "otp": code})
        assert again.status_code == 401 and again.json()["error"]["code"] == "unauthorized"


def test_an_expired_otp_is_refused(capsys):
    R.flushdb()
    phone = "+15550100003"
    with TestClient(app) as c:
        code = otp_for(capsys, c, phone)
        R.pexpire(f"otp:{phone}", 50)
        time.sleep(0.2)
        assert c.post("/api/v1/auth/otp/verify", json={"phone": phone, "otp": code}).status_code == 401


def test_refresh_tokens_rotate_and_a_used_one_is_refused(capsys):
    R.flushdb()
    phone = "+15550100004"
    with TestClient(app) as c:
        code = otp_for(capsys, c, phone)
        first = c.post("/api/v1/auth/otp/verify", json={"phone": phone, "otp": code}).json()
        assert len(R.keys("refresh:*")) == 1
        second = c.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert second.status_code == 200
        assert second.json()["refresh_token"] != first["refresh_token"]
        reused = c.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert reused.status_code == 401
        third = c.post("/api/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]})
        assert third.status_code == 200
        me = c.get("/api/v1/auth/me", headers={"Authorization": "Bearer " + third.json()["access_token"]})
        assert me.json()["phone"] == phone
        refresh_as_access = c.get("/api/v1/auth/me", headers={
            "Authorization": "Bearer " + third.json()["refresh_token"]})
        assert refresh_as_access.status_code == 401


def test_cache_warm_hit_ttl_invalidation_and_hit_rate(capsys):
    R.flushdb()
    with TestClient(app) as c:
        assert R.exists("cache:entry:/projects/feed:?") and R.exists("cache:entry:/projects/map:?")
        assert 590 <= R.ttl("cache:entry:/projects/feed:?") <= 600
        feed = c.get("/api/v1/projects/feed")
        assert feed.headers.get("x-cache") == "HIT"
        assert c.get("/api/v1/builder/1").headers.get("x-cache") is None
        assert c.get("/builder/1").headers.get("x-cache") == "HIT"     # one entry, both paths
        assert 3590 <= R.ttl("cache:entry:/builder/{builder_id}:builder_id=1?") <= 3600
        code = otp_for(capsys, c, "+15550100005")
        token = c.post("/api/v1/auth/otp/verify", json={"phone": "+15550100005", "otp": code}).json()
        created = c.post("/api/v1/projects/", json=PROJECT,
                         headers={"Authorization": "Bearer " + token["access_token"]})
        assert created.status_code == 201
        assert not R.keys("cache:entry:/projects*") and not R.keys("cache:entry:/builder*")
        fresh = c.get("/api/v1/projects/feed")
        assert fresh.headers.get("x-cache") is None and "Probe Towers" in fresh.text
        health = c.get("/health/cache").json()
        assert health["status"] == "up" and health["backend"] == "redis"
        assert health["hits"] == 2 and health["misses"] == 2 and health["hit_rate"] == 0.5
