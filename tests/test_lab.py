"""The modelling lab (wargame.lab): its page rendered without a browser, as Mesa's own SolaraViz tests
do, and the pieces it is made of."""

import time

import pytest

solara = pytest.importorskip("solara", reason="the lab needs the web extra: pip install -e '.[web]'")
pytest.importorskip("mesa.visualization")

import ipyvuetify as v
import ipywidgets

from wargame import lab
from wargame.core.scenario import load_scenario

SCENARIO = "hts_2024_classroom"          # the short one: six days


@pytest.fixture
def models(monkeypatch):
    """Every model the page builds, in order (the first, then one per Reset or scenario change)."""
    built = []

    class Recorded(lab.LabModel):
        # keyword parameters only: SolaraViz refuses a model whose __init__ takes *args
        def __init__(self, scenario=lab.DEFAULT_SCENARIO, rng=lab.DEFAULT_SEED, **kwargs):
            super().__init__(scenario, rng, **kwargs)
            built.append(self)

    monkeypatch.setattr(lab.app, "LabModel", Recorded)          # where the page builds its models
    return built


def render(scenario: str = SCENARIO):
    # The sidebar (Mesa's controls and our levers) is a portal that shows only inside an AppLayout,
    # which `solara run` puts around every page.
    return solara.render(solara.AppLayout(children=[lab.make_page(scenario)]), handle_error=False)


def lever_sliders(rc) -> list:
    return [w for w in rc.find(v.Slider).widgets if not w.label]      # Mesa's own two sliders have labels


def images(rc) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def shows_text(rc, text: str) -> bool:
    return len(rc.find(v.Html, children=[text]).widgets) == 1


def html(rc) -> str:
    return "\n".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)


def no_error_shown(rc) -> bool:
    return not [w for w in rc.find(v.Alert).widgets if w.type == "error"]


def test_the_sliders_are_the_scenarios_levers_with_its_ranges_and_values(models):
    _, rc = render()
    params = lab.lever_params(load_scenario(SCENARIO))
    assert len(params) >= 8                               # the main levers all exist in the scenario
    sliders = lever_sliders(rc)
    assert [(s.min, s.max, s.v_model) for s in sliders] == [(p.range[0], p.range[1], p.value) for p in params]
    for p in params:
        assert shows_text(rc, f"{lab.LEVERS[p.path]}: {lab.show(p.value)}")
    assert rc.find(v.Select, label="Scenario").widget.v_model == SCENARIO
    assert rc.find(v.TextField, label="Seed (a whole number)").widget.v_model == str(lab.DEFAULT_SEED)
    assert len(models) == 1 and models[0].seed == lab.DEFAULT_SEED
    assert all(img.startswith(b"\x89PNG") for img in images(rc)) and len(images(rc)) == 2   # map, charts


def test_stepping_redraws_the_map_charts_and_status(models):
    _, rc = render()
    before = images(rc)
    for _ in range(3):
        click(rc, "Step")
    model = models[-1]
    assert model.steps == 3 and len(models) == 1
    after = images(rc)
    assert len(after) == 2 and all(a != b for a, b in zip(after, before, strict=True))
    assert f"(step 3 of {model.spec.total_steps}" in html(rc)
    assert no_error_shown(rc)


def test_a_lever_moved_reaches_the_model_built_at_reset(models):
    _, rc = render()
    params = lab.lever_params(load_scenario(SCENARIO))
    k = next(i for i, p in enumerate(params) if p.path == "factions.saa.pay")
    high = params[k].range[1]
    lever_sliders(rc)[k].v_model = high
    assert "Press Reset" in " ".join(str(w.children) for w in rc.find(v.Alert).widgets)
    seed_box = rc.find(v.TextField, label="Seed (a whole number)").widget
    seed_box.v_model = "7"
    seed_box.fire_event("keyup.enter", {})         # solara's text box reports on Enter or leaving it
    assert len(models) == 1                               # nothing rebuilt before Reset
    assert models[0].spec.factions["saa"].pay == pytest.approx(params[k].value)
    click(rc, "Reset")
    assert len(models) == 2
    rebuilt = models[-1]
    assert rebuilt.spec.factions["saa"].pay == pytest.approx(high)
    assert rebuilt.loaded.params["factions.saa.pay"].value == pytest.approx(high)
    assert rebuilt.seed == 7 and rebuilt.loaded.name == SCENARIO
    # the other levers kept the scenario's values
    for p in params:
        if p.path != "factions.saa.pay":
            assert rebuilt.loaded.params[p.path].value == pytest.approx(p.value)
    click(rc, "Step")
    assert rebuilt.steps == 1 and no_error_shown(rc)
    # back to the scenario's values, for the next Reset
    click(rc, "Scenario's values")
    assert lever_sliders(rc)[k].v_model == pytest.approx(params[k].value)
    click(rc, "Reset")
    assert models[-1].spec.factions["saa"].pay == pytest.approx(params[k].value)


def test_choosing_another_scenario_loads_it_with_its_own_levers(models):
    _, rc = render()
    rc.find(v.Select, label="Scenario").widget.v_model = "aleppo_2016"
    assert models[-1].loaded.name == "aleppo_2016"
    params = lab.lever_params(load_scenario("aleppo_2016"))
    sliders = lever_sliders(rc)
    assert [(s.min, s.max, s.v_model) for s in sliders] == [(p.range[0], p.range[1], p.value) for p in params]
    assert all(img.startswith(b"\x89PNG") for img in images(rc))


def test_the_seed_box_accepts_text_as_mesa_sends_it():
    assert lab.parse_seed("42") == (42, None)
    assert lab.parse_seed(" 7 ") == (7, None)
    assert lab.parse_seed(3) == (3, None)
    seed, note = lab.parse_seed("")
    assert seed >= 0 and note is None
    seed, note = lab.parse_seed("abc")
    assert seed >= 0 and "abc" in note


def test_slider_steps_are_round_and_about_a_hundredth_of_the_range():
    assert lab.slider_step(0.05, 0.3, False) == pytest.approx(0.005)
    assert lab.slider_step(0.4, 2.0, False) == pytest.approx(0.02)
    assert lab.slider_step(3.0, 12.0, False) == pytest.approx(0.1)
    assert lab.slider_step(1000, 6000, True) == 50


def test_a_frame_is_drawn_well_under_a_second():
    model = lab.LabModel(SCENARIO, rng=2)
    lab.live_map(model).png()                        # the base map, drawn once per theatre
    lab.live_charts(model).png()
    for _ in range(4):
        model.step()
    start = time.perf_counter()
    png = lab.live_map(model).png() + lab.live_charts(model).png()
    assert time.perf_counter() - start < 0.8 and png.startswith(b"\x89PNG")


# ---------------------------------------------------------------------------------------- the command


def test_the_lab_command_serves_the_page_offline_with_the_scenario(monkeypatch, capsys):
    import subprocess

    from wargame.cli import main

    started = []

    class Server:
        def __init__(self, command, env):
            started.append((command, env))

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(subprocess, "Popen", Server)
    assert main(["lab", SCENARIO, "--port", "0"]) == 0
    (command, env), = started
    assert command[1:5] == ["-m", "solara", "run", "wargame.lab:page"]
    assert "--production" in command and "--no-check-version" in command      # nothing asked of pypi.org
    assert env[lab.SCENARIO_ENV] == SCENARIO
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"                # nor of mixpanel.com
    assert "http://127.0.0.1:0/" in capsys.readouterr().out


def test_the_lab_command_reports_a_bad_scenario_or_a_missing_web_extra(monkeypatch, capsys):
    import importlib.util

    from wargame.cli import main

    assert main(["lab", "no_such_scenario"]) == 2
    assert "no_such_scenario" in capsys.readouterr().err
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "solara_assets" else real(name, *a))
    assert main(["lab"]) == 2
    assert 'pip install -e ".[web]"' in capsys.readouterr().err


def test_the_lab_command_says_when_the_port_is_taken(capsys):
    import socket

    from wargame.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["lab", "--port", str(port)]) == 2
    assert f"--port {port}" in capsys.readouterr().err


def test_the_will_to_fight_is_charted_and_stated_as_the_model_steps():
    model = lab.LabModel(SCENARIO, rng=2)
    charts = lab.live_charts(model)
    charts.png()
    for _ in range(6):
        model.step()
    charts.png()
    lines = {metric: line for line, metric, _ in charts.lines}
    assert {"will_regime_leadership", "will_saa", "will_hts"} <= set(lines)
    for metric in ("will_regime_leadership", "will_saa"):
        drawn = lines[metric].get_ydata()
        assert len(drawn) == model.steps + 1                       # the line grew with every step
        assert drawn == pytest.approx(model.datacollector.model_vars[metric])
    leadership = model.will.value[model.will.entry("regime_leadership")]
    text = lab.status_html(model)
    assert f"The regime's leadership {leadership:.2f}</b> (collapses below" in text
    saa = model.will.value[model.faction_index["saa"]]
    assert f"Syrian Arab Army {saa:.2f}" in text


def test_the_lab_page_shows_the_will_and_a_collapse(models):
    _, rc = render()
    click(rc, "Step")
    assert "Will to fight: <b>The regime's leadership" in html(rc)
    model = models[-1]
    model.will.collapsed[model.side_index["regime"]] = model.day        # as update_will records a collapse
    assert f"collapsed on day {model.day:g}" in lab.status_html(model)
