"""The targets a calibration fits: each campaign's built-in target file (wargame/experiments/targets), or a
file the modeller gives (`--targets FILE`, `[calibrate] targets = "FILE"`) in the same schema, which replaces
the built-in targets of its campaign for this calibration only.

A given file is checked before any run: it must be valid (errors name the file, the target and the field),
its campaign must be one this calibration fits, and every column must be an outcome the runs will have
(a bad one is named with its close matches). The targets' content goes into the study's manifest, so
that a resumed calibration is refused if the targets changed.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from pathlib import Path

from wargame.core.errors import WargameError
from wargame.experiments.history import TARGETS_DIR, Target, campaigns, load_targets
from wargame.output.files import write_text_atomic


def calibration_targets(bases: list[str], file: str | None) -> dict[str, tuple[Target, ...]]:
    """The targets of each campaign calibrated: the built-in ones, the given file's for its campaign."""
    chosen = {base: campaigns()[base].targets for base in bases}
    if file is None:
        return chosen
    given = load_targets(Path(file))
    if given.scenario not in chosen:
        raise WargameError(f"{file}: campaign = {given.scenario!r}, but this calibration fits "
                           f"{', '.join(bases)}; give a targets file of {' or '.join(bases)}")
    chosen[given.scenario] = given.targets
    return chosen


def ignored_weights(targets: dict[str, tuple[Target, ...]]) -> list[str]:
    """A warning for each target given a weight other than the default that is not checked: an unchecked
    target is reported, never in the loss, so its weight does nothing, which a modeller who set it would
    not guess."""
    from wargame.experiments.history import SCORED_CONFIDENCE

    found = []
    for target in (t for rows in targets.values() for t in rows):
        if target.checked or target.weight in (0.0, Target.weight):
            continue
        why = "checked = false" if target.confidence in SCORED_CONFIDENCE else \
            f"confidence {target.confidence}, checked only with checked = true"
        found.append(f"target {target.id} has weight {target.weight:g} but is not checked ({why}): it is "
                     "reported, not in the loss")
    return found


def targets_title(bases: list[str], file: str | None) -> str:
    """What the targets are, for titles: the given file's name, else the campaign's title."""
    if file is not None:
        return Path(file).name
    if len(bases) == 1:
        return campaigns()[bases[0]].title
    return f"{len(bases)} campaigns"


def check_columns(targets: dict[str, tuple[Target, ...]], overrides: dict) -> None:
    """Every target's column is an outcome the runs of its scenario (the key) have: the outcome row of a
    model built (not run) from the scenario, so that a misspelt column is found before any run."""
    from wargame.core.model import WarModel
    from wargame.core.scenario import load_scenario
    from wargame.experiments.outcomes import campaign_outcome

    for scenario, rows in targets.items():
        model = WarModel(load_scenario(scenario, overrides), rng=0, collect_units=False, collect_metrics=False)
        columns = sorted(campaign_outcome(model))
        model.release()
        for target in rows:
            if target.column not in columns:
                close = difflib.get_close_matches(target.column, columns, n=3, cutoff=0.6)
                hint = f"; close matches: {', '.join(close)}" if close else ""
                raise WargameError(f"{target.file}, target {target.id!r}: column {target.column!r} is not an outcome "
                                   f"of {scenario}'s runs{hint} (the columns are listed in "
                                   "wargame/experiments/outcomes.py)")


def targets_record(targets: dict[str, tuple[Target, ...]]) -> dict[str, list[dict]]:
    """The targets' content, for the manifest (plain JSON; NaN as null, the file's name left out so that a
    moved file is the same targets)."""
    def plain(target: Target) -> dict:
        row = dataclasses.asdict(target)
        row.pop("file")
        return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}

    return {scenario: [plain(t) for t in rows] for scenario, rows in targets.items()}


def write_default_targets(campaign: str, path: Path) -> Path:
    """Copy a campaign's built-in target file to `path`, as a starting point to edit; never overwrites."""
    if campaign not in campaigns():
        raise WargameError(f"{campaign}: no historical targets; campaigns with targets: {', '.join(campaigns())}")
    if path.exists():
        raise WargameError(f"--write-targets {path}: already exists; choose a new file name")
    if not path.parent.is_dir():
        raise WargameError(f"--write-targets {path}: no directory {path.parent}")
    return write_text_atomic(path, (TARGETS_DIR / f"{campaign}.toml").read_text(encoding="utf-8"))
