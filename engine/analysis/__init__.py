"""Analyses over evaluated results (numpy over ``Result`` columns; never a second evaluator).

* ``benchmark``: rank, percentile rank, z-score within peer groups, gaps to references;
* ``compare``: value added between two periods;
* ``improve``: points lost per indicator and the smallest single change to the next band;
* ``sensitivity``: seeded Monte Carlo over weights, aggregation methods and missing-data treatments.
"""

from engine.analysis.benchmark import (
                                       Benchmark,
                                       Position,
                                       asked_benchmark,
                                       benchmark,
                                       benchmarks,
                                       competition_ranks,
                                       declared,
                                       percentile_ranks,
                                       z_scores,
)
from engine.analysis.common import peer_groups
from engine.analysis.compare import Comparison, compare, evaluate_periods, split_periods
from engine.analysis.improve import Improvement, improvement_areas
from engine.analysis.national import benchmark_data, compare_files, sensitivity_data
from engine.analysis.sensitivity import Sensitivity, sensitivity

__all__ = ["Benchmark", "Comparison", "Improvement", "Position", "Sensitivity", "asked_benchmark", "benchmark",
           "benchmark_data", "benchmarks", "compare", "compare_files", "competition_ranks", "declared",
           "evaluate_periods", "improvement_areas", "peer_groups", "percentile_ranks", "sensitivity",
           "sensitivity_data", "split_periods", "z_scores"]
