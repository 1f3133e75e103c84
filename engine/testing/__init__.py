"""Policy tests (``*_test.yaml`` beside a policy): discovery, running, semantic coverage, reporters.

    run = engine.testing.run(["policies/"])
    print(engine.testing.render_text(run, coverage=True))
"""

from engine.testing.report import coverage_failures, render_coverage, render_json, render_junit, render_text
from engine.testing.results import CaseResult, CoverageItem, Failure, PolicyCoverage, TestRun
from engine.testing.runner import Runner, discover, run
from engine.testing.spec import SpecError, load_test_file

__all__ = ["CaseResult", "CoverageItem", "Failure", "PolicyCoverage", "TestRun", "Runner", "SpecError",
           "coverage_failures", "discover", "load_test_file", "render_coverage", "render_json", "render_junit",
           "render_text", "run"]
