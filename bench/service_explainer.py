"""The background explainer's cost: CPU seconds per subject of explaining a stored submission.

    python bench/service_explainer.py                 # 3 submissions of 300 rows
    python bench/service_explainer.py --rows 1000 --repeat 5

In one process, on a throwaway SQLite database: each submission (the load test's file of
``--rows`` rows, distinct values each time) is scored and stored as ``POST /submissions`` does,
then ``explainer.explain_submission`` explains and stores every scored subject, as the background
process does.  Printed per submission: subjects explained, CPU seconds (this process's user +
system, so independent of other load on the machine), CPU per subject, wall seconds.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.service_load import submission  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> int:
    from engine.service import auth, db, explainer, workflow
    from engine.service.app import open_service

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kinerja-explainer-") as tmp:
        service = open_service(ROOT / "policies", f"sqlite:///{tmp}/kinerja.db")
        with db.writing(service.engine) as conn:
            caller = auth.caller_for(conn, auth.create_token(conn, "agency_000", "submitter")[1])
        assert caller is not None
        for n in range(args.repeat):
            sub, _ = workflow.submit(service, caller, "load.csv", submission("agency_000", args.rows, n),
                                     "bsc_instansi", "2026")
            c0, t0 = cpu(), time.perf_counter()
            done = explainer.explain_submission(service, sub["id"])
            spent, wall = cpu() - c0, time.perf_counter() - t0
            print(f"{done} subjects: {spent:.2f} s CPU, {spent / max(done, 1) * 1000:.1f} ms per subject, "
                  f"{wall:.2f} s wall", flush=True)
        service.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
