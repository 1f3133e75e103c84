"""The background explainer: stores every scored subject's explanation after its submission.

Explaining all subjects of a 300-row file costs about 3.5 s of CPU (12 ms a subject), some 70
times the scoring, so it cannot happen before ``201``: a submission is stored and answered at
once, and this process (started by ``kinerja serve`` at the lowest CPU priority, so it only uses
what the request workers leave) explains its subjects right after.  The queue is what is stored
(runs with fewer explanations than subjects), so nothing is lost when the server is killed: the
next start picks up where it stopped, and a batch is committed whole or not at all.  Progress is
visible as ``run.explained`` against ``run.subjects``; a subject asked for before its turn is
explained on the spot (``workflow.explain``), with the same content.

Each explanation is reproduced exactly as on demand (``reproduce.explain``: the stored file scored
again under the stored policy texts, checked against the stored row).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from engine.service import reproduce, scoring, store
from engine.service.app import Service
from engine.service.auth import Caller
from engine.service.workflow import policies_of

log = logging.getLogger("kinerja.service.explainer")
SYSTEM = Caller("explainer", "", "auditor")  # an internal reader of every agency; never an API caller
BATCH = 50  # explanations per write transaction (about 0.6 s of work, 180 KB compressed)


def explain_submission(service: Service, sid: str, batch: int = BATCH) -> int:
    """Store the explanations a submission still lacks; the number stored."""
    sub = store.summary(service.engine, SYSTEM, sid)
    found = store.content(service.engine, SYSTEM, sid)
    if sub is None or found is None:
        return 0
    ps = policies_of(service, sub)
    rows = store.unexplained(service.engine, sid)
    for start in range(0, len(rows), batch):
        made = {str(r["subject_id"]): reproduce.explain(ps, sub, found[1], str(r["subject_id"]), r)
                for r in rows[start:start + batch]}
        store.save_explanations(service.engine, sub["run"]["id"], made)
    return len(rows)


def work(service: Service, stop: Callable[[], bool], idle: float = 1.0) -> None:
    """Explain pending submissions, oldest first, until ``stop()``; a submission whose scores no longer
    reproduce is logged and left (its subjects stay unexplained, and say why when asked for); any
    other failure is logged and retried after a pause."""
    skipped: set[str] = set()
    while not stop():
        todo = [s for s in store.explanations_pending(service.engine, len(skipped) + 1) if s not in skipped]
        if not todo:
            time.sleep(idle)
            continue
        try:
            explain_submission(service, todo[0])
        except reproduce.NotReproducible as exc:
            log.warning("submission %s: %s", todo[0], exc)
            skipped.add(todo[0])
        except Exception:  # noqa: BLE001 - e.g. the database away for a moment: try again later, never die
            log.exception("submission %s: explaining failed; trying again in %s s", todo[0], idle * 30)
            time.sleep(idle * 30)


def main() -> None:
    """``python -m engine.service.explainer``: started by ``kinerja serve`` (KINERJA_POLICIES, KINERJA_DB,
    KINERJA_SERVER_PID); stops when that server is gone, even killed."""
    from engine.service import db

    logging.basicConfig(level=logging.INFO, format="kinerja explainer: %(message)s")
    os.nice(19)  # the request workers come first
    parent = int(os.environ["KINERJA_SERVER_PID"])  # not getppid(): the server may be gone before this line
    _die_with_parent()
    scoring.warm_up()
    service = Service(db.connect(os.environ["KINERJA_DB"]), scoring.load_policies(os.environ["KINERJA_POLICIES"]))
    work(service, lambda: os.getppid() != parent)


def _die_with_parent() -> None:
    """On Linux the kernel ends this process as soon as the server that started it dies, even by
    SIGKILL (prctl PR_SET_PDEATHSIG); elsewhere ``work`` notices within a second or so."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


if __name__ == "__main__":
    main()
