import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

DATA = Path(__file__).parent / "data"


@pytest.fixture
def duel_file() -> Path:
    return DATA / "duel.toml"


@pytest.fixture
def write_toml(tmp_path):
    """Write a scenario file in tmp_path and return its path."""
    def write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


@pytest.fixture
def duel(write_toml, duel_file):
    """Build a duel-theatre model, optionally with extra TOML (inheriting duel.toml) and overrides."""
    from wargame.core.model import WarModel

    def build(extra: str = "", rng: int = 5, **overrides):
        path = write_toml(f'extends = "{duel_file}"\n{extra}') if extra else duel_file
        return WarModel(path, rng=rng, **overrides)
    return build


def units_by_key(model) -> dict:
    return {u.key: u for u in model.ground_units}


def neighbour(model, cell: int, k: int = 0) -> int:
    near = model.theatre.neighbours[cell]
    return int(near[near >= 0][k])


def step_phases(model, *phases) -> None:
    """Advance the clock one step and run only the given phases."""
    model.steps += 1
    for phase in phases:
        phase(model)


def conserved_personnel(model) -> tuple[float, float]:
    """(personnel now + killed + captured + deserted + withdrawn over all units, initial + reinforcements)."""
    t = model.table
    now = float((t.personnel + t.killed + t.captured + t.deserted + t.withdrawn).sum())
    start = float(model.initial_personnel + model.tally["reinforced"].sum())
    return now, start


@pytest.fixture
def helpers():
    class H:
        pass
    h = H()
    h.units_by_key = units_by_key
    h.neighbour = neighbour
    h.step_phases = step_phases
    h.conserved_personnel = conserved_personnel
    h.np = np
    return h


def ensemble_by_command(out: Path, scenario: str, reps: int, seed: int):
    """An ensemble made as a user makes it (`python run.py run SCENARIO --reps N`, one worker): what the
    console printed, and the ensemble directory read back."""
    import contextlib
    import io

    from wargame.cli import main
    from wargame.report.ensemble import EnsembleData

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["run", scenario, "--reps", str(reps), "--seed", str(seed), "--workers", "1",
                     "--out", str(out)]) == 0
    return printed.getvalue(), EnsembleData.load(out)
