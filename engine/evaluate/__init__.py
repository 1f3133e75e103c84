"""Evaluation: a compiled plan over a batch of submitted columns, to a ``Result``.

``evaluate(plans, batch, default)`` evaluates each subject under its agency's
plan; ``evaluate_plan(plan, batch)`` under one plan.  Every step runs over whole
numpy columns (a single submission is a batch of one); comparisons and rounding
are decimal-faithful (see ``numeric``); runtime errors and missing-data
decisions are recorded per row and step in ``Result.events``.
"""

from engine.evaluate.core import evaluate, evaluate_plan, plan_version
from engine.evaluate.events import Event, Events
from engine.evaluate.numeric import round_half_away
from engine.evaluate.result import Result, StepResult, Violation

__all__ = ["Event", "Events", "Result", "StepResult", "Violation", "evaluate", "evaluate_plan", "plan_version",
           "round_half_away"]
