"""`validate-history` and `counterfactuals`: the suites of wargame.experiments.suites, run, printed and
written (the report printed before its files are written, as it always was)."""

from __future__ import annotations

from wargame.cli.support import ensemble_progress


def cmd_validate_history(args) -> int:
    from wargame.core.scenario import parse_overrides
    from wargame.experiments.suites import run_validation
    from wargame.report.validation import write_validation_page

    overrides = parse_overrides(args.overrides)
    with ensemble_progress() as progress:
        validation = run_validation(args.out, args.runs, args.seed, args.workers, overrides, args.fresh, progress,
                                    args.only)
    print(validation.text)
    files = validation.write()
    write_validation_page(validation.directory, validation.report, validation.frames, _command(args))
    print(f"\nWritten to {validation.directory}/: validation.html, {', '.join(files)}")
    return 0 if validation.report.passed else 1


def _command(args) -> str:
    """The command as typed, to reproduce the page (the output directory relative, as given)."""
    import shlex
    import sys

    typed = sys.argv[1:] if sys.argv[1:2] == [args.command] else [args.command]
    return "python run.py " + " ".join(shlex.quote(part) for part in typed)


def cmd_counterfactuals(args) -> int:
    from wargame.experiments.suites import run_counterfactual_suite

    with ensemble_progress() as progress:
        suite = run_counterfactual_suite(args.out, args.base, args.only, args.runs, args.seed, args.workers,
                                         args.fresh, progress)
    print(suite.text)
    files = suite.write()
    print(f"\nWritten to {suite.directory}/: {', '.join(files)}")
    return 0
