"""The published OpenAPI document is the one the service serves."""

from __future__ import annotations

import json
from pathlib import Path

from engine.service.app import openapi_document
from tests.service_kit import open_app

DOC = Path(__file__).parent.parent / "docs" / "openapi.json"


def test_docs_openapi_json_is_current() -> None:
    # regenerate with: python -m engine.service.app > docs/openapi.json
    assert json.loads(DOC.read_text(encoding="utf-8")) == openapi_document()


def test_the_running_service_serves_the_same_document(tmp_path: Path) -> None:
    app = open_app(f"sqlite:///{tmp_path / 'k.db'}")
    served = app.client.get("/openapi.json").json()
    assert served == openapi_document()
    paths = set(served["paths"])
    assert {"/api/v1/submissions", "/api/v1/calculate", "/api/v1/policies", "/api/v1/audit",
            "/api/v1/submissions/{sid}/review"} <= paths
    assert not any(p.startswith("/login") for p in paths)  # pages are not API
