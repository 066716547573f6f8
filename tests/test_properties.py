"""Property tests over random seeds and parameters (hypothesis): the model's books always balance."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DATA, conserved_personnel
from wargame.core.agents.unit import GONE_FROM
from wargame.core.model import WarModel
from wargame.core.scenario import load_scenario

MELEE = load_scenario(DATA / "melee.toml")
TUNABLE = sorted(p for p in MELEE.params if not p.startswith("theatre."))


@st.composite
def parameter_draws(draw):
    """A handful of the scenario's tunable parameters, each drawn from its plausible range."""
    paths = draw(st.lists(st.sampled_from(TUNABLE), min_size=1, max_size=8, unique=True))
    out = {}
    for path in paths:
        param = MELEE.params[path]
        low, high = param.range
        if isinstance(param.value, int):
            out[path] = draw(st.integers(int(low), int(high)))
        else:
            out[path] = draw(st.floats(low, high, allow_nan=False))
    return out


def check_invariants(model: WarModel) -> None:
    t = model.table
    for column in ("personnel", "armour", "artillery", "air_defence", "killed", "captured", "deserted"):
        assert (getattr(t, column) >= -1e-9).all(), column
    for column in ("morale", "cohesion", "supply", "suppression"):
        values = getattr(t, column)
        assert ((values >= 0) & (values <= 1)).all(), column
    now, start = conserved_personnel(model)
    assert abs(now - start) <= 1e-6 * start
    gone = t.state >= GONE_FROM
    assert ((t.idx < 0) == gone).all()                     # on the map exactly when not gone
    assert (t.personnel[gone] == 0).all()
    for row, agent in enumerate(model.ground_units):
        if gone[row]:
            assert agent.cell is None
        else:
            assert agent.cell is model.cells[t.idx[row]]
            assert sum(a is agent for a in agent.cell.agents) == 1
    held = model.control[model.theatre.inside]
    assert ((held >= 0) & (held < len(model.side_ids))).all()
    assert (model.control[~model.theatre.inside] == -1).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), params=parameter_draws())
def test_invariants_hold_every_step(seed, params):
    model = WarModel(DATA / "melee.toml", rng=seed, **params)
    check_invariants(model)
    for _ in range(12):
        model.step()
        check_invariants(model)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_in_the_full_2024_campaign(seed):
    model = WarModel("hts_2024", rng=seed)
    for _ in range(16):
        model.step()
    check_invariants(model)
    assert model.tally["killed"].sum() > 0 and len(model.events) > 20
