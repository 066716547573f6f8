"""`validate-history` and `counterfactuals`: the suites of wargame.experiments.suites, run, printed and
written (the report printed before its files are written, as it always was)."""

from __future__ import annotations

from wargame.cli.support import ensemble_progress


def cmd_validate_history(args) -> int:
    from wargame.core.scenario import parse_overrides
    from wargame.experiments.suites import run_validation

    overrides = parse_overrides(args.overrides)
    with ensemble_progress() as progress:
        validation = run_validation(args.out, args.runs, args.seed, args.workers, overrides, args.fresh, progress,
                                    args.only)
    print(validation.text)
    files = validation.write()
    print(f"\nWritten to {validation.directory}/: {', '.join(files)}")
    return 0 if validation.report.passed else 1


def cmd_counterfactuals(args) -> int:
    from wargame.experiments.suites import run_counterfactual_suite

    with ensemble_progress() as progress:
        suite = run_counterfactual_suite(args.out, args.base, args.only, args.runs, args.seed, args.workers,
                                         args.fresh, progress)
    print(suite.text)
    files = suite.write()
    print(f"\nWritten to {suite.directory}/: {', '.join(files)}")
    return 0
