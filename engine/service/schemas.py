"""Request and response models of the JSON API (they are the OpenAPI document's schemas)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str
    message: str


class Error(BaseModel):
    error: ErrorBody


class Review(BaseModel):
    decision: Literal["accept", "return"]
    reason: str = Field(min_length=1, max_length=4000)


class ReviewOut(Review):
    id: str
    submission: str


class RunOut(BaseModel):
    id: str
    policy_set: str = Field(description="Digest of the policy files loaded when it was scored (texts kept).")
    engine_version: str
    policy_id: str
    policy_version: str
    policy_files: list[dict[str, str]]
    rows: dict[str, int]
    subjects: int
    explained: int = Field(description="Subjects whose explanation is stored; equal to `subjects` once the "
                                       "background explainer has done this submission.")
    runtime_errors: int = 0
    quota_violations: list[dict[str, Any]] = []
    warnings: list[str] = Field([], description="In the request's language.")
    warning_messages: list[dict[str, Any] | None] = Field(
        [], description="How each warning was made, to write it in any language: message id (its English "
                        "template) and values (a value may itself be such a message); null: kept as written.")
    levels: list[dict[str, Any]] = Field([], description="The policy's subject levels (units, agencies) computed "
                                         "over the submission's rows, as the manifest of `kinerja eval` lists them: "
                                         "level, of, keys, subjects, members, unassigned, runtime_errors; rows at "
                                         "/submissions/{id}/levels/{level}.")


class SubmissionOut(BaseModel):
    id: str
    agency: str
    unit: str = Field("", description="The unit that submitted it ('' = the whole agency).")
    policy: str
    period: str
    revision: int
    filename: str
    format: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: dt.datetime
    status: Literal["submitted", "accepted", "returned"]
    review: dict[str, Any] | None = None
    run: RunOut


class RejectOut(BaseModel):
    row: str
    subject_id: str | None
    column: str | None
    value: str | None
    reason: str
    help: str | None
    messages: dict[str, Any] | None = Field(
        None, description="How row, reason and help were made (message id and values), each written here in the "
                          "request's language; null for rows stored before these were kept.")


class CalculateIn(BaseModel):
    policy: str | None = Field(None, description="National policy id (needed when several are loaded).")
    period: str = Field(description="Year (2026) or date (2026-12-31): picks the version in force.")
    agency: str | None = Field(None, description="Only subjects of this agency are accepted, under its own policy.")
    subjects: list[dict[str, Any]] = Field(min_length=1, description="One record per subject: id, agency, values.")
    explain: bool = True


class CalculateOut(BaseModel):
    policy_id: str
    policy_version: str
    policy_files: list[dict[str, str]]
    rows: dict[str, int]
    results: list[dict[str, Any]]
    rejects: list[RejectOut]
    explanations: dict[str, Any]
    quota_violations: list[dict[str, Any]] = []


class TokenIn(BaseModel):
    agency: str = Field(min_length=1, max_length=200)
    role: Literal["submitter", "reviewer", "auditor", "admin"]
    unit: str = Field("", max_length=200, description="A submitter for this unit of the agency only "
                                                       "(SKP: units submit separately); '' = the whole agency.")
    label: str | None = Field(None, max_length=200)


class TokenOut(BaseModel):
    id: str
    agency: str
    unit: str = ""
    role: str
    token: str = Field(description="Shown once: only its hash is stored.")


class AuditEntry(BaseModel):
    seq: int
    at: str
    actor: str | None
    actor_agency: str | None
    actor_role: str | None
    action: str
    object_type: str
    object_id: str
    agency: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


class Verification(BaseModel):
    ok: bool
    entries: int
    head: str
    problems: list[str]
