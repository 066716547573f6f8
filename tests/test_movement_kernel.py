"""The movement kernels (rules/movement_kernel.py) give the same arrays bit for bit: numpy, the unit-by-unit
code uncompiled and, where numba is installed, compiled. On random inputs built to hit every branch of a
round (stacking conflicts, full and blocked cells, enemy contact, contested ground, banked budgets,
withdrawals of one cell, routing) and on the arguments of real runs."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from wargame.core.rules import movement, movement_kernel
from wargame.core.rules.movement_kernel import rounds_numpy, rounds_scalar

NO_NUMBA = "numba is not installed (the `fast` extra): only the numpy and uncompiled kernels are compared"


def compiled():
    pytest.importorskip("numba", reason=NO_NUMBA)
    return movement_kernel.compiled_kernel()


def hex_neighbours(width: int, height: int) -> np.ndarray:
    """Axial hex neighbours of a width x height patch, -1 off its edge (at every position of a row)."""
    steps = [(1, 0), (1, -1), (0, -1), (-1, 0), (-1, 1), (0, 1)]
    out = np.full((width * height, 6), -1, dtype=np.int64)
    for q in range(width):
        for r in range(height):
            for k, (dq, dr) in enumerate(steps):
                if 0 <= q + dq < width and 0 <= r + dr < height:
                    out[q * height + r, k] = (q + dq) * height + r + dr
    return out


def random_case(seed: int) -> dict:
    """Arguments of a round of movement on a small patch, crowded so that every rule has work to do."""
    rng = np.random.default_rng(seed)
    width, height = rng.integers(3, 9, size=2)
    neighbours = hex_neighbours(width, height)
    n = neighbours.shape[0]
    sides = int(rng.integers(2, 4))
    limit = int(rng.integers(1, 5))
    movers = int(rng.integers(1, 3 * n))
    # fields: whole km (ties between neighbours, which the first of equals settles), some cells unreachable
    fields = rng.integers(0, 12, size=(int(rng.integers(1, 5)), n)).astype(float)
    fields[rng.random(fields.shape) < 0.1] = np.inf
    start = rng.integers(0, max(2, n // 3), size=movers)          # movers crowd into the first third
    side_of = rng.integers(0, sides, size=movers)
    # the stack holds the movers plus some units that stay, and is at the limit in places
    stack = np.bincount(side_of * n + start, minlength=sides * n)
    stack += rng.integers(0, limit + 1, size=sides * n) * (rng.random(sides * n) < 0.3)
    hostile = rng.random((sides, sides)) < 0.7
    hostile = (hostile | hostile.T) & ~np.eye(sides, dtype=bool)
    routing = rng.random(movers) < 0.15
    withdraw = rng.random(movers) < 0.15
    return dict(
        start=start.astype(np.int64),
        budget=rng.choice([0.0, 1.5, 4.0, 9.0, 30.0, 80.0], size=movers) + rng.random(movers),
        field_row=rng.integers(0, fields.shape[0], size=movers).astype(np.int64),
        retreating=routing | withdraw,
        one_cell=withdraw & ~routing,
        sides=side_of.astype(np.int64),
        militia=rng.random(movers) < 0.3,
        priority=rng.permutation(movers).astype(np.int64),
        fields=fields,
        neighbours=neighbours,
        stack=stack.astype(np.int64),
        enemy_at=rng.random((sides, n)) < 0.12,
        blocked=rng.random(n) < 0.1,
        control=rng.integers(-1, sides, size=n).astype(np.int8),
        hostile=hostile,
        base_cost=rng.choice([1.75, 5.0, 6.5, 8.0, 10.0, 15.0], size=n),
        limit=limit,
        hostile_factor=float(rng.choice([1.0, 2.0, 3.5])),
        cell_km=5.0,
        max_rounds=int(rng.integers(1, 8)),
    )


def assert_same(one, other) -> None:
    for a, b, name in zip(one, other, ("here", "budget", "gained_km")):
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert a.tobytes() == b.tobytes(), f"{name}: {a} != {b}"      # bit for bit, signed zeros included


def run(kernel, case: dict):
    before = {k: v.copy() for k, v in case.items() if isinstance(v, np.ndarray)}
    result = kernel(**case)
    for key, value in before.items():           # a kernel works on copies: the caller's arrays are untouched
        assert np.array_equal(case[key], value), key
    return result


def test_random_cases_cover_every_outcome_of_a_round():
    """The random cases are not idle: units move, bank, stop, gain ground, withdraw one cell, and crowd."""
    moved = banked = gained = withdrew_one = crowded = 0
    for seed in range(60):
        case = random_case(seed)
        here, budget, gained_km = rounds_numpy(**case)
        stayed = here == case["start"]
        moved += int((~stayed).sum())
        banked += int((stayed & (budget > 0)).sum())
        gained += int((gained_km > 0).sum())
        withdrew_one += int((case["one_cell"] & ~stayed).sum())
        # more of a side ended up wanting a cell than had room: an arrival was refused by the stacking rule
        ends = np.bincount(case["sides"] * case["neighbours"].shape[0] + here, minlength=case["stack"].size)
        crowded += int((ends[case["sides"] * case["neighbours"].shape[0] + here] >= case["limit"]).sum())
    assert min(moved, banked, gained, withdrew_one, crowded) > 0, (moved, banked, gained, withdrew_one, crowded)


@pytest.mark.parametrize("seed", range(40))
def test_unit_by_unit_code_uncompiled_matches_numpy(seed):
    """Without numba too: the algorithm of the compiled kernel is the numpy one (checked in pure Python)."""
    case = random_case(seed)
    assert_same(run(rounds_numpy, case), run(rounds_scalar, case))


def test_compiled_kernel_matches_numpy_on_random_cases():
    kernel = compiled()
    for seed in range(500):
        case = random_case(seed)
        assert_same(run(rounds_numpy, case), run(kernel, case))


def test_stacking_gives_the_room_to_the_first_in_priority():
    """Six units in one cell all step to the same neighbour, which holds four: the four first in the random
    priority go, the two others wait (and lose the step's budget), with either kernel."""
    neighbours = hex_neighbours(3, 1)               # a row of three cells: 0 - 1 - 2
    case = random_case(0) | dict(
        start=np.zeros(6, np.int64), budget=np.full(6, 20.0), field_row=np.zeros(6, np.int64),
        retreating=np.zeros(6, bool), one_cell=np.zeros(6, bool), sides=np.zeros(6, np.int64),
        militia=np.zeros(6, bool), priority=np.array([5, 0, 3, 1, 4, 2], np.int64),
        fields=np.array([[10.0, 5.0, 0.0]]), neighbours=neighbours, stack=np.array([6, 0, 0, 0, 0, 0], np.int64),
        enemy_at=np.zeros((2, 3), bool), blocked=np.zeros(3, bool), control=np.zeros(3, np.int8),
        hostile=np.array([[False, True], [True, False]]), base_cost=np.full(3, 5.0), limit=4, max_rounds=1)
    kernels = [rounds_numpy, rounds_scalar] + ([compiled()] if movement_kernel.KERNEL == "numba" else [])
    for kernel in kernels:
        here, budget, _ = run(kernel, case)
        assert here.tolist() == [0, 1, 1, 1, 0, 1]          # priorities 0-3 go: units 1, 3, 5 and 2
        assert budget.tolist() == [0.0, 15.0, 15.0, 15.0, 0.0, 15.0]


def recorded_arguments(scenario: str, seed: int, steps: int) -> list[tuple]:
    """The arguments of every call of the rounds in the first steps of a real run."""
    from wargame.core.model import WarModel

    calls = []

    def recording(*arguments):
        calls.append(tuple(a.copy() if isinstance(a, np.ndarray) else a for a in arguments))
        return rounds_numpy(*arguments)

    model = WarModel(scenario, rng=seed)
    original, movement.rounds = movement.rounds, recording
    try:
        for _ in range(steps):
            model.step()
    finally:
        movement.rounds = original
    return calls


@pytest.mark.parametrize("scenario, seed", [("hts_2024", 3), ("aleppo_2016", 1)])
def test_compiled_kernel_matches_numpy_on_real_runs(scenario, seed):
    kernel = compiled()
    calls = recorded_arguments(scenario, seed, steps=30)
    assert calls
    for arguments in calls:
        assert_same(rounds_numpy(*arguments), kernel(*arguments))


def test_a_run_is_the_same_with_either_kernel(monkeypatch):
    compiled()
    from wargame.core.model import WarModel

    tables = []
    for kernel in ("numpy", "numba"):
        monkeypatch.setattr(movement_kernel, "KERNEL", kernel)
        model = WarModel("hts_2024", rng=7)
        for _ in range(25):
            model.step()
        tables.append({name: getattr(model.table, name).copy() for name in
                       ("idx", "progress_km", "advance_km", "personnel", "state", "moved")})
    for name in tables[0]:
        assert tables[0][name].tobytes() == tables[1][name].tobytes(), name


def test_a_numba_that_does_not_import_falls_back_to_numpy(monkeypatch):
    def broken():
        raise ImportError("numba built for another numpy")

    monkeypatch.setattr(movement_kernel, "KERNEL", "numba")
    monkeypatch.setattr(movement_kernel, "compiled_kernel", broken)
    case = random_case(1)
    with pytest.warns(UserWarning, match="numpy kernel"):
        result = movement_kernel.rounds(*case.values())
    assert movement_kernel.KERNEL == "numpy"
    assert_same(result, rounds_numpy(**case))


def test_a_numba_that_can_cache_nowhere_compiles_uncached(monkeypatch):
    """Where numba finds no writable cache directory (none of its locators applies: numba raises at the
    decoration) the kernel is compiled uncached, in every process, instead of failing."""
    compiled()
    import numba

    monkeypatch.setattr(numba.config, "CACHE_LOCATOR_CLASSES", "ZipCacheLocator")   # only for zipped code
    monkeypatch.setattr(movement_kernel, "_compiled", None)        # restored after: this one is not compiled
    kernel = movement_kernel.compiled_kernel()
    assert type(kernel._cache).__name__ == "NullCache"
    assert kernel.py_func is rounds_scalar


@pytest.mark.parametrize("value, expected", [("1", "numpy"), ("0", None), ("", None)])
def test_wargame_no_jit_chooses_numpy(value, expected):
    """WARGAME_NO_JIT=1 keeps numpy; unset, empty or 0, numba is used wherever it can be found."""
    if expected is None:
        expected = "numba" if importlib.util.find_spec("numba") else "numpy"
    env = {**os.environ, "WARGAME_NO_JIT": value}
    out = subprocess.run([sys.executable, "-c", "from wargame.core.rules import movement_kernel as k; print(k.KERNEL)"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == [expected]
