"""What a study is, from a small TOML file or from the command line, validated strictly.

    kind = "sensitivity"                 # sweep | sensitivity | calibrate
    scenario = "hts_2024"
    replicates = 2                       # runs per design point, with seeds common to every point
    seed = 2024                          # master seed: design and replicate seeds derive from it
    outputs = ["aleppo_days", "regime_territory", "saa_collapsed"]

    [parameters]                         # by dotted path; the range comes from the scenario unless given
    "rules.morale.contagion_weight" = {}
    "factions.saa.pay" = { range = [0.05, 0.4] }
    "actors.turkey.support" = { role = "lever" }                          # uncertainty | lever (study/roles.py)
    "rules.combat.attrition_per_day" = { values = [0.01, 0.014, 0.02] }   # grid levels

    [design]                             # sweeps
    kind = "lhs"                         # grid | lhs | sobol | csv
    points = 40
    levels = 5                           # grid: levels of a parameter given no values
    file = "points.csv"                  # csv: one column per parameter path

    [sensitivity]
    method = "sobol"                     # sobol (first and total order) | morris
    samples = 64                         # Sobol base sample N (runs: N x (parameters + 2)); Morris trajectories

    [calibrate]
    trials = 60                          # Optuna trials (each runs `replicates` seeds)
    targets = "my_targets.toml"          # instead of the campaign's built-in targets (study/targets.py)

A calibration of `scenario = "history"` is joint: every historical campaign (those with a target file in
wargame/experiments/targets) runs at each trial, and the loss sums all their targets. Its parameters must
be rules (`rules.*`), which every campaign shares; a situation parameter belongs to one scenario.

Every error names the file (or the command-line option), the field and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from wargame.core.errors import Problem, ScenarioError, problems_from_validation
from wargame.core.scenario.common import Strict
from wargame.study.designs import Parameter
from wargame.study.outputs import DEFAULT_OUTPUTS


class ParameterSpec(Strict):
    range: list[float] | None = Field(None, min_length=2, max_length=2)
    values: list[float] | None = Field(None, min_length=1)
    # uncertainty (no actor controls it) or lever (an actor's policy); unset: by its path (study/roles.py)
    role: Literal["uncertainty", "lever"] | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.range is not None and self.range[0] >= self.range[1]:
            raise ValueError(f"range {self.range}: the low end must be below the high end")
        return self


class DesignSpec(Strict):
    kind: Literal["grid", "lhs", "sobol", "csv"] = "lhs"
    points: int = Field(20, ge=1, le=100_000)
    levels: int = Field(5, ge=2, le=100)
    file: str | None = None

    @model_validator(mode="after")
    def _file(self):
        if self.kind == "csv" and not self.file:
            raise ValueError('a csv design needs file = "points.csv"')
        return self


class SensitivitySpec(Strict):
    method: Literal["sobol", "morris"] = "sobol"
    samples: int = Field(32, ge=2, le=100_000)


class CalibrateSpec(Strict):
    trials: int = Field(40, ge=2, le=100_000)
    targets: str | None = Field(None, description="a target file (the schema of wargame/experiments/targets/*.toml) "
                                "replacing its campaign's built-in targets")


JOINT = "history"          # the scenario name of a joint calibration over every historical campaign


def study_scenarios(scenario: str) -> list[str]:
    """The scenarios a study runs: its own, or every historical campaign for a joint calibration."""
    if scenario != JOINT:
        return [scenario]
    from wargame.experiments.history import campaigns

    return list(campaigns())


class StudySpec(Strict):
    kind: Literal["sweep", "sensitivity", "calibrate"]
    scenario: str
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    replicates: int = Field(2, ge=1, le=10_000)
    seed: int = Field(2024, ge=0)
    outputs: list[str] = Field(default_factory=lambda: list(DEFAULT_OUTPUTS), min_length=1)
    overrides: dict[str, float | int | bool | str] = {}
    design: DesignSpec = DesignSpec()
    sensitivity: SensitivitySpec = SensitivitySpec()
    calibrate: CalibrateSpec = CalibrateSpec()
    # keep every run's per-step metrics (series.nc, wargame.output.load_study); false (--no-series) saves
    # the metrics' collection (docs/STUDIES.md, "Time series", measures it) and their disk
    series: bool = True


def load_study(path: str | Path) -> tuple[StudySpec, str]:
    """A study file, validated; returns the spec and the file's name (for messages and relative paths)."""
    from wargame.core.scenario.loader import read_toml

    path = Path(path)
    raw = read_toml(path)
    source = str(path)
    try:
        spec = StudySpec.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, source, schema=StudySpec)) from None
    if spec.design.file and not Path(spec.design.file).is_absolute():
        spec.design.file = str((path.parent / spec.design.file).resolve())
    if spec.calibrate.targets and not Path(spec.calibrate.targets).is_absolute():
        spec.calibrate.targets = str((path.parent / spec.calibrate.targets).resolve())
    return spec, source


def resolve_parameters(spec: StudySpec, source: str) -> list[Parameter]:
    """Each parameter with its range: given in the study, else the scenario's plausible range; every path
    must be a tunable number of the scenario, and a given range must lie within its hard bounds."""
    from wargame.core.scenario import load_scenario

    if spec.scenario == JOINT and spec.kind != "calibrate":
        raise ScenarioError([Problem(source, "scenario", f'"{JOINT}" (every historical campaign) is for a joint '
                                     "calibration only; name one scenario")])
    first, *others = study_scenarios(spec.scenario)
    loaded = load_scenario(first, spec.overrides)
    for other in others:                   # overrides of a joint calibration must hold in every campaign
        load_scenario(other, spec.overrides)
    problems, out = [], []
    for path, given in spec.parameters.items():
        if spec.scenario == JOINT and not path.startswith("rules."):
            problems.append(Problem(source, f"parameters.{path}", "a joint calibration fits the rules every "
                                    "campaign shares (rules.*); this is a situation parameter of one scenario"))
            continue
        param = loaded.params.get(path)
        if param is None:
            close = sorted(p for p in loaded.params if p.split(".")[-1] == path.split(".")[-1])[:3]
            hint = f"; did you mean {', '.join(close)}" if close else "; `python run.py scenarios SCENARIO` lists them"
            problems.append(Problem(source, f"parameters.{path}", f"not a tunable parameter of {spec.scenario}{hint}"))
            continue
        low, high = given.range or (given.values and [min(given.values), max(given.values)]) or param.range
        asked = (f"range {given.range}" if given.range else f"values {given.values}" if given.values
                 else f"scenario's range [{low:g}, {high:g}]")
        verb = "go" if given.values and not given.range else "goes"
        outside = [v for v in ([low, high] if not given.values else given.values) if param.breaks_bounds(v)]
        if outside:
            problems.append(Problem(source, f"parameters.{path}", f"the {asked} {verb} outside the allowed bounds "
                                    f"(the parameter's hard bounds): it must be {param.allowed}", outside[0], True))
            continue
        out.append(Parameter(path, float(low), float(high), tuple(given.values or ()),
                             integer=isinstance(param.value, int) and not isinstance(param.value, bool)))
    if problems:
        raise ScenarioError(problems)
    return out


def check_points(spec: StudySpec, source: str, parameters: list[Parameter], points) -> None:
    """Design points given by the user (a CSV design) must lie within every parameter's hard bounds: checked
    before anything is written, so a bad point never leaves a half-started study behind."""
    from wargame.core.scenario import load_scenario

    params = load_scenario(spec.scenario, spec.overrides).params
    problems = []
    for k, parameter in enumerate(parameters):
        param = params[parameter.path]
        bad = [i for i, value in enumerate(points[:, k]) if param.breaks_bounds(float(value))]
        if bad:
            where = spec.design.file or source
            problems.append(Problem(where, f"{parameter.path} (row {bad[0] + 2})", f"outside the parameter's hard "
                                    f"bounds: it must be {param.allowed}", float(points[bad[0], k]), True))
    if problems:
        raise ScenarioError(problems)
