"""Units submitting separately (SKP: an agency "and its units").

A submitter token may be scoped to one unit of its agency.  Its uploads are the unit's rows: the
unit is the field the policy's group constraints are taken ``by`` (SE 3/2023's distribution quota
``by unit_kerja``), so a unit's submission is that group's whole current population and the quota
is evaluated over exactly it.  A row of another unit is rejected with its reason, as a row of
another agency is; a policy without such a constraint, or with one over the whole agency, cannot
be submitted unit by unit (one unit's rows would not be the population the rule speaks of).
"""

from __future__ import annotations

import numpy as np

from engine.data import LoadResult, Reject
from engine.i18n import _
from engine.plan import Plan
from engine.service.scoring import SubmissionError


def unit_field(plans: list[Plan], policy: str, unit: str) -> str:
    """The field that says which unit a row belongs to, for the national plan and its agencies' plans."""
    groups = {q.by.name if q.by is not None else None for p in plans for q in p.quotas}
    if len(groups) == 1 and None not in groups:
        return str(groups.pop())
    if not groups:
        why = _("policy `{policy}` has no group constraint by unit", policy=policy)
    elif None in groups:
        why = _("policy `{policy}` has a group constraint over the whole agency", policy=policy)
    else:
        why = _("policy `{policy}` groups its constraints by several fields ({fields})", policy=policy,
                fields=", ".join(sorted(str(g) for g in groups)))
    raise SubmissionError(_("{why}, so it cannot be submitted by one unit (`{unit}`); submit it with the "
                            "agency's token", why=why, unit=unit))


def only_unit(loaded: LoadResult, field: str, unit: str) -> LoadResult:
    """``loaded`` with the rows of other units rejected (wide layout: a row is a subject)."""
    batch, report = loaded.batch, loaded.report
    if any(f.layout != "wide" for f in report.files):
        raise SubmissionError(_("a unit's submission has one row per subject with its `{field}`; "
                                "this file is in the long layout", field=field))
    values = batch.columns[field].tolist()
    mine = np.array([v == unit for v in values], dtype=bool)
    if mine.all():
        return loaded
    files = {f.file: f for f in report.files}
    for i in np.flatnonzero(~mine).tolist():
        origin = batch.row_origin[i]
        report.rejects.append(Reject(origin.file, origin.row, str(batch.subject_ids[i]), field,
                                     None if values[i] is None else str(values[i]),
                                     _("unit `{value}` is not `{unit}`, the unit this token submits for",
                                       value=values[i], unit=unit),
                                     _("each unit submits its own rows; the agency's token submits every unit")))
        files[origin.file].rows_accepted -= 1
        files[origin.file].rows_rejected += 1
    report.subjects = int(mine.sum())
    return LoadResult(batch.take(np.flatnonzero(mine)), report)
