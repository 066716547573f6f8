"""Property-based fuzzing of the scenario loader (issue 12): generated malformed scenario files (TOML-ish
text; valid files with fields deleted, wrong types, NaN and infinities, huge numbers, deep nesting, long
`extends` chains, bad polygons, parent cycles, too many units) and generated `--set` overrides must each
load, or raise the project's own error naming a field or the file: never another exception, never a hang.

60 examples per test by default (CI); more with WARGAME_FUZZ_EXAMPLES=1000. Each example has
WARGAME_FUZZ_SECONDS (default 20) to finish.
"""

from __future__ import annotations

import copy
import itertools
import os
import signal
import tomllib
from contextlib import contextmanager
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wargame.core.errors import ScenarioError, WargameError
from wargame.core.scenario import load_scenario, parse_override
from wargame.core.scenario.limits import MAX_CONTROL_AREAS, MAX_POLYGON_POINTS, MAX_TIMELINE, MAX_UNITS

EXAMPLES = int(os.environ.get("WARGAME_FUZZ_EXAMPLES", "60"))
SECONDS = float(os.environ.get("WARGAME_FUZZ_SECONDS", "20"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture, HealthCheck.large_base_example])

DUEL = Path(__file__).parent / "data" / "duel.toml"
DUEL_TREE = tomllib.loads(DUEL.read_text(encoding="utf-8"))
HTS_CHILD = {"extends": "hts_2024"}           # a small file over the largest built-in scenario
_names = itertools.count()

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the time bound needs SIGALRM")


class Hang(BaseException):
    """An example ran past its time bound (a BaseException, so no `except Exception` in the loader hides it)."""


@contextmanager
def time_bound(seconds: float):
    def alarm(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _nested(depth: int, leaf, table: bool):
    for _ in range(depth):
        leaf = {"a": leaf} if table else [leaf]
    return leaf


TALLY: dict[str, int] = {}


def outcome(call, files: set[str]) -> str:
    """'loaded' or 'refused'; anything else (another exception, a hang) fails the example."""
    try:
        with time_bound(SECONDS):
            call()
    except ScenarioError as exc:
        assert exc.problems, exc
        for problem in exc.problems:
            assert problem.source, str(exc)
            assert problem.path or problem.source in files or problem.source.startswith("override"), str(exc)
        TALLY["refused"] = TALLY.get("refused", 0) + 1
        return "refused"
    except WargameError as exc:
        assert any(name in str(exc) for name in files) or "override" in str(exc) or "--" in str(exc), str(exc)
        TALLY["refused"] = TALLY.get("refused", 0) + 1
        return "refused"
    TALLY["loaded"] = TALLY.get("loaded", 0) + 1
    return "loaded"


# ---------------------------------------------------------------- generated values

SENTINEL = "@@{}@@"
HUGE, DEEP, DEEP_TABLE, LONG_NUMBER = (SENTINEL.format(n) for n in ("HUGE", "DEEP", "DEEP_TABLE", "LONG_NUMBER"))
RAW = {HUGE: "9" * 5000, LONG_NUMBER: "1" * 150 + ".5", DEEP: "[" * 1000 + "]" * 1000,
       DEEP_TABLE: "{a = " * 200 + "1" + "}" * 200}

PYTHON = {HUGE: int("9" * 4000), LONG_NUMBER: float("1" * 150 + ".5"), DEEP: _nested(1000, [], False),
          DEEP_TABLE: _nested(200, 1, True)}    # the sentinels as the Python values they stand for

scalars = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.0, 1e308, -1e308, 5e-324, 2**63, -(2**63) - 1, float("nan"), float("inf")]),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["hama", "saa", "regime", "opposition", "infantry", "defender", "attacker", "#123456",
                     "hts_2024", "", " ", "\x00", "\u202e", "..", "[0]"]),
    st.sampled_from([HUGE, DEEP, DEEP_TABLE, LONG_NUMBER]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                      max_leaves=12)
points = st.lists(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                     st.floats(min_value=34.6, max_value=37.3), st.integers(-200, 200)),
                           min_size=0, max_size=3), max_size=6)


def leaf_paths(tree, prefix=()):
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from leaf_paths(value, (*prefix, key))


DUEL_PATHS = list(leaf_paths(DUEL_TREE))


def dotted(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def set_in(tree, parts, value) -> None:
    node = tree
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def delete_in(tree, parts) -> None:
    node = tree
    for part in parts[:-1]:
        node = node[part]
    del node[parts[-1]]


@st.composite
def mutated_tree(draw):
    """duel.toml (or a small file over hts_2024) with one to four mutations, and text to append."""
    tree = copy.deepcopy(DUEL_TREE if draw(st.integers(0, 4)) else HTS_CHILD)
    appendix: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        try:
            mutate(draw, tree, appendix)
        except (KeyError, IndexError, TypeError, AttributeError):   # an earlier mutation changed the shape
            pass
    return tree, appendix


def mutate(draw, tree: dict, appendix: list[str]) -> None:
    kind = draw(st.sampled_from(["delete", "replace", "add", "polygon", "freeze", "area", "parent", "range",
                                 "many", "unit", "timeline"]))
    paths = list(leaf_paths(tree))
    if kind == "delete" and paths:
        delete_in(tree, draw(st.sampled_from(paths)))
    elif kind == "replace" and paths:
        set_in(tree, draw(st.sampled_from(paths)), draw(values))
    elif kind == "add":
        tables = [p for p in paths if isinstance(_get(tree, p), dict)]
        target = _get(tree, draw(st.sampled_from(tables))) if tables else tree
        target[draw(st.text(min_size=1, max_size=8))] = draw(values)
    elif kind == "polygon":
        tree.setdefault("control", []).append({"side": "opposition", "polygon": draw(points)})
    elif kind == "freeze":
        tree.setdefault("actors", {})["turkey"] = {"deal_day": 1.0, "freeze_polygon": draw(points)}
    elif kind == "area":
        tree.setdefault("objectives", {})["zone"] = {"side": "opposition", "kind": "area", "area": draw(points)}
    elif kind == "parent":
        a, b = draw(st.sampled_from([("defender", "defender"), ("defender", "attacker"), ("attacker", "nobody")]))
        units = tree.setdefault("units", {})
        units.setdefault(a, {})["parent"] = b
        if a != b and b in units:
            units[b]["parent"] = a
    elif kind == "range":
        path = draw(st.sampled_from(["factions.saa.pay", "rules.combat.reference_power", "theatre.cell_km"]))
        node = tree
        for part in path.split(".")[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node[path.split(".")[-1]] = {"value": draw(scalars), "range": draw(st.lists(scalars, max_size=3))}
    elif kind == "many":
        appendix.append(draw(st.sampled_from(["units", "control", "timeline", "points"])))
    elif kind == "unit":
        tree.setdefault("units", {})[draw(st.sampled_from(["new", "defender"]))] = draw(
            st.dictionaries(st.sampled_from(["faction", "name", "at", "lat", "lon", "personnel", "count",
                                             "parent", "type"]), values, max_size=6))
    elif kind == "timeline":
        tree["timeline"] = draw(st.lists(st.dictionaries(st.sampled_from(["event", "day", "set", "note"]),
                                                         values, max_size=4), max_size=3))


def _get(tree, parts):
    node = tree
    for part in parts:
        node = node[part]
    return node


APPENDICES = {
    "units": "".join(f'\n[units.extra{i}]\nfaction = "saa"\nname = "X"\nat = "hama"\npersonnel = 10\ncount = 100\n'
                     for i in range(MAX_UNITS // 100 + 1)),
    "control": '\n[[control]]\nside = "opposition"\naround = "hama"\nkm = 5.0\n' * (MAX_CONTROL_AREAS + 1),
    "timeline": '\n[[timeline]]\nevent = "note"\nday = 1.0\nnote = "x"\n' * (MAX_TIMELINE + 1),
    "points": ("\n[actors.turkey]\nfreeze_polygon = ["
               + ", ".join(f"[35.{i:04d}, 36.5]" for i in range(MAX_POLYGON_POINTS + 1)) + "]\n"),
}


def to_text(tree) -> str:
    text = tomli_w.dumps(tree)
    for sentinel, raw in RAW.items():
        text = text.replace(f'"{sentinel}"', raw)
    return text


toml_tokens = st.sampled_from([
    "[", "]", "[[", "]]", "{", "}", "=", ",", ".", '"', "'", '"""', "'''", "\n", "#", " ", "\t", "\r\n", "\\",
    "meta", "units", "control", "extends", "title", "x", "0", "1.5", "-7", "nan", "inf", "-inf", "true",
    "1979-05-27T07:32:00", "0x1F", "1e400", "9" * 5000, "[" * 300, "]" * 300, "{a=" * 100, "\ufeff",
    "\x00", "é", '"hts_2024"', f'"{DUEL}"', "[meta]\ntitle = ", "[units.u]\n", "a.b.c.d",
])
toml_ish = st.lists(st.one_of(toml_tokens, st.text(max_size=6)), max_size=50).map("".join)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    yield tmp_path_factory.mktemp("fuzz")
    print(f"\nloader fuzz ({EXAMPLES} examples a test): {TALLY}")


def write(directory: Path, text: str | bytes) -> Path:
    path = directory / f"f{next(_names)}.toml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# ---------------------------------------------------------------- the properties


@FUZZ
@given(text=toml_ish, prefix=st.sampled_from(["", f'extends = "{DUEL}"\n', 'extends = "hts_2024"\n', "\ufeff"]))
def test_toml_ish_text_loads_or_is_refused_by_name(fuzz_dir, text, prefix):
    path = write(fuzz_dir, prefix + text)
    outcome(lambda: load_scenario(path), {str(path)})


@FUZZ
@given(case=mutated_tree())
def test_mutated_files_load_or_are_refused_by_name(fuzz_dir, case):
    tree, appendix = case
    text = to_text(tree) + "".join(APPENDICES[name] for name in appendix)
    path = write(fuzz_dir, text)
    outcome(lambda: load_scenario(path), {str(path), str(DUEL)})


@FUZZ
@given(links=st.integers(1, 40), loop=st.booleans(), body=st.sampled_from(["", "[factions.saa]\npay = 0.2\n"]))
def test_extends_chains_load_or_are_refused_by_name(fuzz_dir, links, loop, body):
    first = fuzz_dir / f"chain{next(_names)}"
    first.mkdir()
    parent = str(DUEL)
    for i in range(links):
        path = first / f"c{i}.toml"
        target = str(first / f"c{links - 1}.toml") if loop and i == 0 else parent
        path.write_text(f'extends = "{target}"\n{body}', encoding="utf-8")
        parent = str(path)
    files = {str(p) for p in first.iterdir()} | {str(DUEL)}
    outcome(lambda: load_scenario(parent), files)


override_paths = st.one_of(
    st.sampled_from([dotted(p) for p in DUEL_PATHS]),
    st.sampled_from(["factions.saa.pay", "rules.combat.reference_power", "timeline", "control", "units",
                     "control[0].polygon", "actors.turkey.freeze_polygon", "units.defender.parent", "meta",
                     "extends", "control[99].km", "units.new.count", ".".join(["a"] * 1000), "a..b", "[0]",
                     "rules.combat.reference_power.range", ""]),
    st.text(max_size=12),
)
override_values = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "1e400", "9" * 5000, "9" * 30, "[[35.9,36.5]]", "[" * 1000 + "]" * 1000,
                     "{a = 1}", '"x"', "true", "0x" + "f" * 40, "{ value = 2000.0, range = [0.0, 1.0] }",
                     "{ value = 0.2, range = [nan, nan] }", "[]", "[[nan, 36.5], [35, 36.6], [35.1, 36.9]]",
                     '"defender"', "{a = " * 300 + "1" + "}" * 300, "2024-11-27", "hama", "=", "[1, 2", "''"]),
    toml_ish,
)


@FUZZ
@given(path=override_paths, value=override_values, base=st.sampled_from([str(DUEL), str(DUEL), "hts_2024"]))
def test_set_overrides_load_or_are_refused_by_name(path, value, base):
    def call():
        key, parsed = parse_override(f"{path}={value}")
        load_scenario(base, {key: parsed})

    outcome(call, {base})


@FUZZ
@given(path=override_paths, value=values)
def test_python_overrides_load_or_are_refused_by_name(path, value):
    def call():
        load_scenario(DUEL, {path: PYTHON.get(value, value) if isinstance(value, str) else value})

    outcome(call, {str(DUEL)})


def test_the_fuzzer_reaches_both_outcomes(fuzz_dir):
    """The generators are not all refused: the property is tested on files that load too."""
    assert outcome(lambda: load_scenario(write(fuzz_dir, to_text(DUEL_TREE))), set()) == "loaded"
    assert outcome(lambda: load_scenario(write(fuzz_dir, to_text({**DUEL_TREE, "x": DEEP}))), {"x"}) == "refused"


@FUZZ
@given(text=st.one_of(toml_ish, st.lists(st.sampled_from(['"', "'", '"""', "'''", "#", "\n", "[", "{", "]", "}", "\\",
                                                           "9" * 60, "x", "="]), max_size=120).map("".join)))
def test_the_quick_look_at_a_text_never_misses_what_the_full_scan_finds(text):
    from wargame.core.scenario.limits import _scan, text_problems

    assert text_problems(text, "f") == _scan(text, "f")
