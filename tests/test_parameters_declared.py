"""Every behavioural number of the model core is a declared parameter (rules.* in the scenario schema), with a
default, a plausible range and a note, so that overrides, sweeps, sensitivity analysis and calibration reach
it. The rule modules, agents, commanders and model.py are parsed for numeric literals; what may stay literal:

- 0, 1 and -1 (as ints or floats);
- tolerances (0 < |x| < 1e-6, such as 1e-9 and 1e-12);
- the digits of round() and the index of a subscript (s[2]);
- the reviewed ALLOWED list below: unit conversions, definitions of the unit a parameter is stated in, array
  and cache sizes, and search mechanics that are not rules of the war, each with its reason.

Any other number fails the test with its file and line: declare it in wargame/core/scenario/rules.py
(tunable(default, range, note)) and read it from model.spec.rules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from wargame.core.model import WarModel
from wargame.core.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("wargame/core/rules", "wargame/core/agents", "wargame/core/commanders", "wargame/core/model.py",
           "wargame/core/campaign.py", "wargame/core/actors.py", "wargame/core/white_cell.py")
TRIVIAL = {0, 1, -1}
TOLERANCE = 1e-6

# (file, snippet of the line, reason). A literal is allowed when its line contains the snippet and the
# snippet contains the literal as written: keyed by code, not by line number.
ALLOWED = [
    ("wargame/core/rules/friction.py", "0.5 * f.tempo_sd", "the lognormal's mean correction, exp(sigma^2 / 2): "
     "arithmetic, not a rule of the war"),
    ("wargame/core/rules/air.py", "* 1000.0", "per 1,000-strong unit: the unit suppression_per_sortie is stated in"),
    ("wargame/core/rules/air.py", "drones / 10.0", "per 10 drones: the unit drone_strikes_per_day is stated in"),
    ("wargame/core/rules/morale.py", "sorties_on[rows] * 1000.0",
     "per 1,000-strong unit: the unit air_fear_weight is stated in"),
    ("wargame/core/rules/morale.py", "math.log(3.0)", "3:1 odds: the unit force_ratio_weight is stated in"),
    ("wargame/core/rules/morale.py", "len(cache) > 64", "size of a per-step cache"),
    ("wargame/core/rules/morale.py", '"leadership", 0.5)[0]',
     "leadership assumed for IRGC advisers of a faction that has none (no built-in scenario has one)"),
    ("wargame/core/rules/cohesion.py", "* 2.0 * conscripted",
     "scales a conscript share of one half to 1; varying it would only rescale breaks.daily_desertion"),
    ("wargame/core/rules/combat.py", "rows.size < 2", "a fight needs two units"),
    ("wargame/core/rules/combat.py", "loss_noise ** 2", "gamma shape from the coefficient of variation (a square)"),
    ("wargame/core/rules/supply.py", "MAX_ADVANCE_CELLS = 8",
     "bound of the incremental supply update (at least a step's advance); the daily full recompute is exact"),
    ("wargame/core/rules/supply.py", "rounds=2 * MAX_ADVANCE_CELLS",
     "linked ground may wind through what was gained: twice that bound"),
    ("wargame/core/rules/terrain_costs.py", "GRAPHS_KEPT = 4", "cache size"),
    ("wargame/core/rules/terrain_costs.py", "FIELDS_KEPT = 400", "cache size"),
    ("wargame/core/rules/terrain_costs.py", "digest_size=16", "width of a cache key's hash"),
    ("wargame/core/actors.py", "/ 7.0 /", "days in a week (unit conversion)"),
    ("wargame/core/rules/will.py", "HEX_AREA = math.sqrt(3.0) / 2.0", "geometry: a hexagon's area per squared width"),
    ("wargame/core/rules/will.py", "th.layout.cell_km ** 2", "an area: km squared"),
    ("wargame/core/rules/will.py", "population / 1e6", "per million people: the unit population_weight is stated in"),
    ("wargame/core/rules/will.py", "personnel_start / 1000.0", "per 1,000 men: the unit reinforcements is stated in"),
    ("wargame/core/rules/will.py", "n: int = 3", "how many factors a summary names (not a rule of the war)"),
    ("wargame/core/agents/table.py", "capacity: int = 64", "initial array capacity"),
    ("wargame/core/agents/table.py", "max(64, 2 * capacity)", "array capacity doubling"),
    ("wargame/core/campaign.py", "digest_size=16", "width of a cache key's hash"),
    ("wargame/core/campaign.py", "_INITIAL_FORCES_KEPT = 8", "cache size"),
    ("wargame/core/campaign.py", "cell_km * 1.5", "placement search: first radius, in cells"),
    ("wargame/core/campaign.py", "km *= 1.6", "placement search: growth of the radius"),
    ("wargame/core/campaign.py", "count * 2 or km > 200", "placement search: enough candidates, or give up"),
    ("wargame/core/campaign.py", "-10**9", "sentinel: never computed"),
    ("wargame/core/rules/movement_kernel.py", "stacklevel=2", "a warning names its caller's line"),
]


def scanned_files() -> list[Path]:
    out = []
    for entry in SCANNED:
        path = ROOT / entry
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """ids of constants that are round()'s digits or a subscript's index."""
    exempt = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "round":
            exempt.update(id(a) for a in node.args[1:])
            exempt.update(id(k.value) for k in node.keywords if k.arg == "ndigits")
        elif isinstance(node, ast.Subscript):
            index = node.slice
            parts = index.elts if isinstance(index, ast.Tuple) else [index]
            exempt.update(id(p) for p in parts if isinstance(p, ast.Constant))
    return exempt


def literal_numbers(relative: str, source: str) -> list[tuple[int, object, str, str]]:
    """(line, value, as written, line text) of every numeric literal not trivially allowed."""
    tree = ast.parse(source)
    lines = source.splitlines()
    exempt = _exempt_nodes(tree)
    out = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
                and not isinstance(node.value, bool)):
            continue
        value = node.value
        if value in TRIVIAL or abs(value) < TOLERANCE or id(node) in exempt:
            continue
        text = ast.get_source_segment(source, node) or repr(value)
        out.append((node.lineno, value, text, lines[node.lineno - 1]))
    return sorted(out, key=lambda item: item[0])


def allowed_by(relative: str, text: str, line: str) -> tuple | None:
    for entry in ALLOWED:
        file, snippet, _ = entry
        if file == relative and snippet in line and text in snippet:
            return entry
    return None


def hidden_numbers(relative: str, source: str) -> tuple[list[str], set[tuple]]:
    """Numbers in a module that are neither declared parameters nor allowed, and the allow-list entries used."""
    hidden, used = [], set()
    for lineno, _value, text, line in literal_numbers(relative, source):
        entry = allowed_by(relative, text, line)
        if entry is None:
            hidden.append(f"{relative}:{lineno}: {text}   | {line.strip()}")
        else:
            used.add(entry)
    return hidden, used


def test_every_behavioural_number_is_a_declared_parameter():
    hidden, used = [], set()
    for path in scanned_files():
        relative = path.relative_to(ROOT).as_posix()
        found, entries = hidden_numbers(relative, path.read_text())
        hidden += found
        used |= entries
    assert not hidden, ("numbers hidden in the code: declare them in wargame/core/scenario/rules.py and read "
                        "them from model.spec.rules (or, if not a rule of the war, add them to ALLOWED with a "
                        "reason):\n" + "\n".join(hidden))
    stale = [f"{file}: {snippet!r}" for file, snippet, _ in ALLOWED if (file, snippet, _) not in used]
    assert not stale, "allow-list entries that match nothing any more (remove them):\n" + "\n".join(stale)


def test_the_scan_catches_a_new_number_in_a_rule():
    relative = "wargame/core/rules/combat.py"
    source = (ROOT / relative).read_text()
    hidden, _ = hidden_numbers(relative, source + "\n\ndef extra(x):\n    return x * 0.37\n")
    assert any(h.endswith("return x * 0.37") and ": 0.37 " in h for h in hidden)
    # an allowed snippet covers only its own literal, not another number on the same line
    hidden, _ = hidden_numbers(relative, "def f(rows, x):\n    if rows.size < 2:\n        x = x * 0.37\n"
                                         "    return rows.size < 2 and x * 0.5\n")
    assert [h.split("   |")[0] for h in hidden] == [f"{relative}:3: 0.37", f"{relative}:4: 0.5"]
    # negative numbers, integers and numbers in other modules are caught too
    hidden, _ = hidden_numbers("wargame/core/agents/actors.py", "LIMIT = -0.2\nCOUNT = 3\n")
    assert len(hidden) == 2


LEGACY_UNNOTED = ("rules.unit_types.", "rules.movement.terrain_cost.", "rules.combat.terrain_defence.",
                  "rules.combat.frontage.", "rules.movement.stacking_limit", "rules.air.max_sorties_per_target")


def test_rule_parameters_have_a_range_and_a_note():
    params = load_scenario("hts_2024").params
    rules = [p for p in params.values() if p.path.startswith("rules.")]
    for section in ("deployment", "actors", "doctrine", "observation", "breaks", "morale", "combat", "air"):
        assert any(p.path.startswith(f"rules.{section}.") for p in rules), section
    for p in rules:
        assert p.range[0] <= p.value <= p.range[1], p.path
        if not p.path.startswith(LEGACY_UNNOTED):
            assert p.note.strip() and "no source" not in p.note, p.path


# ------------------------------------------------------------------ reachable by overrides, and they act


def _model(**overrides) -> WarModel:
    return WarModel(scenario="hts_2024", rng=1, collect_units=False, overrides=overrides)


@pytest.fixture(scope="module")
def base():
    return _model()


def _rows(model, kind: str | None = None, group: str | None = None, own_quality: bool | None = None):
    out = []
    for row, agent in enumerate(model.ground_units):
        spec = model.spec.units.get(agent.formation_key)
        faction = model.spec.factions[agent.faction]
        if spec is None or (kind and faction.kind != kind) or (group and spec.group != group):
            continue
        if own_quality is not None and (spec.quality is not None) != own_quality:
            continue
        out.append(row)
    return np.array(out, dtype=np.int64)


def test_saa_quality_base_scales_deployed_saa_units(base):
    low = _model(**{"rules.deployment.saa_quality_base": 0.5})
    assert low.spec.rules.deployment.saa_quality_base == 0.5
    saa = _rows(base, kind="saa", own_quality=False)
    assert saa.size > 10
    p = base.spec.factions["saa"].professionalism
    expected = np.minimum(1.0, base.table.quality[saa] / (0.75 + 0.5 * p) * (0.5 + 0.5 * p))
    np.testing.assert_allclose(low.table.quality[saa], expected, rtol=1e-12)
    others = np.setdiff1d(np.arange(base.table.n), _rows(base, kind="saa"))
    np.testing.assert_array_equal(low.table.quality[others], base.table.quality[others])


def test_group_ideology_is_reachable(base):
    changed = _model(**{"rules.deployment.group_ideology.hezbollah": -0.2})
    rows = _rows(base, group="hezbollah")
    assert rows.size
    np.testing.assert_allclose(changed.table.ideology[rows], base.table.ideology[rows] - 0.4, atol=1e-12)


def test_breakpoint_median_moves_every_breakpoint(base):
    bold = _model(**{"rules.breaks.breakpoint_median": 0.3})
    assert (bold.table.breakpoint >= base.table.breakpoint).all()
    assert (bold.table.breakpoint > base.table.breakpoint).mean() > 0.9


def test_max_cells_per_step_caps_movement():
    def moved(model) -> np.ndarray:
        start = model.table.idx.copy()
        model.step()
        end = model.table.idx[:start.size]           # units that arrived this step had no start
        both = (start >= 0) & (end >= 0)
        return model.theatre.layout.distance(start[both], end[both])

    assert moved(_model()).max() > 1
    assert moved(_model(**{"rules.movement.max_cells_per_step": 1})).max() <= 1


def test_surprise_window_days_sets_the_observed_window():
    from wargame.experiments.outcomes import side_loss_rates

    model = _model(**{"rules.observation.surprise_window_days": 1.0})
    while model.day < 1.0:
        model.step()
    assert list(model.losses_at_day) == [1.0]
    assert any(key.startswith("loss_rate_window_") for key in side_loss_rates(model))
