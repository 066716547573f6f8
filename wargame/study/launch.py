"""A study put together from a study file and options, and run to its directory (`python run.py sweep`,
`sensitivity`, `calibrate`).

Both functions take plain arguments and print nothing; `run_study` reports progress only through the
callbacks it is given: `started(executor_name, workers)` once the executor is ready, then
`progress(done, total, seconds)` as runs finish.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wargame.core.errors import WargameError

SECTIONS = {"sweep": "design", "sensitivity": "sensitivity", "calibrate": "calibrate"}


@dataclass
class StudyResult:
    directory: Path
    report: Path
    files: list[str]                                  # what the study directory holds
    best: Path | None = None                          # calibrate: the best parameter set, as a scenario
    # sensitivity: for each output, (parameter, index) by rank (total-order ST for Sobol, mu* for Morris)
    ranking: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    index: str = ""                                   # the ranking's index as printed: "ST" (Sobol) or "mu*" (Morris)
    targets: list[tuple[str, float]] = field(default_factory=list)   # calibrate: the largest shares of the loss


def study_from_options(kind: str, *, scenario: str | None = None, study_file: str | Path | None = None,
                       parameters: Sequence[str] = (), replicates: int | None = None, seed: int | None = None,
                       outputs: Sequence[str] | None = None, overrides: Sequence[str] = (),
                       settings: Mapping[str, object] | None = None, levers: Sequence[str] = (),
                       uncertainties: Sequence[str] = (), series: bool | None = None):
    """The study of `kind` from `study_file` (if given) and the options, which win over it, validated;
    every problem is named. `parameters` are "PATH", "PATH=LOW:HIGH" or "PATH=A,B,C"; `overrides` are
    "PATH=VALUE"; `settings` are fields of the kind's section (design: kind, points, levels, file;
    sensitivity: method, samples; calibrate: trials), None for those not given. `levers` and `uncertainties`
    set the role of parameters the study varies (study/roles.py); `series`
    False keeps no per-step metrics (--no-series). Returns (spec, source)."""
    from pydantic import ValidationError

    from wargame.core.errors import Problem, ScenarioError, problems_from_validation
    from wargame.core.scenario import parse_overrides
    from wargame.study.spec import StudySpec, load_study

    if study_file:
        spec, source = load_study(study_file)
        raw = spec.model_dump(mode="python")
    else:
        if not scenario:
            raise WargameError(f"{kind}: give a scenario (or --study FILE)")
        raw, source = {"kind": kind, "scenario": scenario, "parameters": {}}, "the command line"
    raw["kind"] = kind
    if scenario:
        raw["scenario"] = scenario
    problems = []
    for text in parameters:
        path, _, given = text.partition("=")
        entry = {}
        try:
            if ":" in given:
                low, high = given.split(":")
                entry["range"] = [float(low), float(high)]
            elif given:
                entry["values"] = [float(v) for v in given.split(",")]
        except ValueError:
            problems.append(Problem("--param", path, f"{given!r}: give LOW:HIGH or A,B,C (numbers)"))
        raw["parameters"][path] = entry
    for path in sorted(set(levers) & set(uncertainties)):
        problems.append(Problem("--lever", path, "named by --uncertainty too: a parameter has one role"))
    for option, role, paths in (("--lever", "lever", levers), ("--uncertainty", "uncertainty", uncertainties)):
        for path in paths:
            if path not in raw["parameters"]:
                problems.append(Problem(option, path, "not a parameter this study varies; give it with --param "
                                        "(or in the study file's [parameters])"))
            else:
                raw["parameters"][path]["role"] = role
    if problems:
        raise ScenarioError(problems)
    for key, value in (("replicates", replicates), ("seed", seed)):
        if value is not None:
            raw[key] = value
    if outputs is not None:
        raw["outputs"] = list(outputs)
    if series is not None:
        raw["series"] = series
    if overrides:
        raw["overrides"] = {**raw.get("overrides", {}), **parse_overrides(overrides)}
    section = SECTIONS[kind]
    for name, value in (settings or {}).items():
        if value is not None:
            raw.setdefault(section, {})[name] = str(value) if isinstance(value, Path) else value
    if kind == "sweep" and (settings or {}).get("file") and "kind" not in raw.get("design", {}):
        raw["design"]["kind"] = "csv"
    try:
        return StudySpec.model_validate(raw), source
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, source, schema=StudySpec)) from None


def run_study(spec, source: str, out: str | Path | None = None, *, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False, command: str = "",
              progress: Callable[[int, int, float], None] | None = None,
              started: Callable[[str, int], None] | None = None) -> StudyResult:
    """Run the study to its directory (default runs/<kind>-<scenario>-seed<seed>) on local processes
    (`workers`, default all cores), in this process (one worker) or on the Dask cluster at `scheduler`;
    with `resume`, finish an interrupted study there. Every bad parameter is reported before any run."""
    from wargame.study.calibrate import run_calibration
    from wargame.study.execute import make_executor
    from wargame.study.plan import study_directory
    from wargame.study.sensitivity import run_sensitivity
    from wargame.study.spec import JOINT, resolve_parameters
    from wargame.study.sweep import run_sweep

    resolve_parameters(spec, source)
    out = study_directory(spec, out).resolve()
    executor = make_executor(workers, scheduler)
    runner = {"sweep": run_sweep, "sensitivity": run_sensitivity, "calibrate": run_calibration}[spec.kind]
    try:
        if started:
            started(executor.name, executor.workers)
        report = runner(spec, source, out, executor, progress, resume=resume, command=command)
    finally:
        executor.close()
    result = StudyResult(out, report, sorted(p.name for p in out.iterdir() if not p.name.startswith(".")))
    if spec.kind == "sensitivity":
        result.ranking = sensitivity_ranking(out / "indices.csv", spec.sensitivity.method)
        result.index = sensitivity_index(spec.sensitivity.method)
    if spec.kind == "calibrate" and spec.scenario != JOINT:      # a joint calibration's best.toml is rules only
        result.best = out / "best.toml"
    if spec.kind == "calibrate":
        from wargame.study.calibrate import top_targets

        result.targets = top_targets(out)
    return result


def sensitivity_index(method: str) -> str:
    """The name of the index a sensitivity study ranks by, as the console and the report write it."""
    return "ST" if method == "sobol" else "mu*"


def sensitivity_ranking(indices_csv: Path, method: str) -> dict[str, list[tuple[str, float]]]:
    """For each output, (parameter, index) in the order of indices.csv (ranked)."""
    import pandas as pd

    indices = pd.read_csv(indices_csv)
    key = "ST" if method == "sobol" else "mu_star"
    return {output: list(zip(part["parameter"], part[key]))
            for output, part in indices.groupby("output", sort=False)}
