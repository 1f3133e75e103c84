"""Token guessing is locked out per client address and per token prefix, on the API and the sign-in
page, across the service's processes (counted in the database), with an audit entry per lockout."""

from __future__ import annotations

import secrets
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from engine.service import audit
from engine.service.app import create_app
from engine.service.db import reading
from tests.service_kit import App, open_app


@pytest.fixture
def app(db_url: str) -> App:
    made = open_app(db_url)
    made.service.limits = replace(made.service.limits, sign_in_failures_per_address=4,  # type: ignore[attr-defined]
                                  sign_in_failures_per_prefix=3)
    return made


def _from(app: App, address: str) -> TestClient:
    return TestClient(create_app(app.service), client=(address, 50000))  # type: ignore[arg-type]


def _get(client: TestClient, token: str) -> object:
    return client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"})


def _lockouts(app: App) -> list[tuple[str, str]]:
    with reading(app.service.engine) as conn:  # type: ignore[attr-defined]
        return [(e["object_type"], e["object_id"]) for e in audit.entries(conn) if e["action"] == "sign-in.lockout"]


def test_an_address_with_too_many_wrong_tokens_is_locked_out_even_with_a_right_one(app: App) -> None:
    guesser, neighbour = _from(app, "10.0.0.7"), _from(app, "10.0.0.8")
    for _ in range(4):  # the limit is 4 here: four wrong tokens are answered 401
        assert _get(guesser, "kin_" + secrets.token_urlsafe(32)).status_code == 401
    locked = _get(guesser, app.tokens.submitter)
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "too-many-sign-in-failures"
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    page = guesser.post("/login", data={"token": app.tokens.submitter}, follow_redirects=False)
    assert page.status_code == 429 and "Too many failed sign-ins" in page.text and "set-cookie" not in page.headers
    assert _get(neighbour, app.tokens.submitter).status_code == 200  # another address is not affected
    assert _lockouts(app) == [("address", "10.0.0.7")]


def test_wrong_tokens_sharing_a_prefix_are_locked_out_from_any_address(app: App) -> None:
    stem = app.tokens.submitter[:12]
    for k in range(3):  # three addresses, one guess each at the same real token's prefix
        assert _get(_from(app, f"10.0.1.{k}"), stem + secrets.token_urlsafe(30)).status_code == 401
    assert _get(_from(app, "10.0.1.9"), stem + secrets.token_urlsafe(30)).status_code == 429
    # the prefix is recorded only as its hash: no part of a token reaches the audit log
    assert [kind for kind, _ in _lockouts(app)] == ["token-prefix"]
    assert all(stem not in key for _, key in _lockouts(app))
    assert _get(_from(app, "10.0.1.9"), app.tokens.reviewer).status_code == 200  # another prefix still signs in


def test_no_token_at_all_is_not_counted(app: App) -> None:
    client = _from(app, "10.0.2.1")
    for _ in range(10):
        assert client.get("/api/v1/submissions").status_code == 401
    assert _get(client, app.tokens.submitter).status_code == 200 and _lockouts(app) == []
