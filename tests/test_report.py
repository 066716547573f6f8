"""The analysts' outputs: the run directory, the after-action report, why units broke, ensembles, comparisons
and the command line that makes them."""

from __future__ import annotations

import base64
import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from wargame.cli import COMMANDS, main
from wargame.core.model import WarModel
from wargame.output import RunData, load_ensemble, metrics_frame, units_frame, write_run
from wargame.report.aar import SECTIONS, figure_drivers
from wargame.report.render import render_run
from wargame.report.why import WHY_FACTORS, break_table, collapses, faction_drivers

STEPS = 14         # three and a half days of 2024: units break, the M5 towns and then Aleppo fall


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    model = WarModel("hts_2024_classroom", rng=3)
    for _ in range(STEPS):
        model.step()
    return write_run(model, tmp_path_factory.mktemp("runs") / "run", render=render_run)


class Page(HTMLParser):
    """The parts of the report a test checks: section ids in order, images, links, headings."""

    def __init__(self):
        super().__init__()
        self.sections, self.images, self.links, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append(attrs.get("id"))
        elif tag == "img":
            self.images.append(attrs["src"])
        elif tag in ("a", "link", "script"):
            self.links.append(attrs.get("href") or attrs.get("src") or "")

    def handle_data(self, data):
        self.text.append(data)


def _decode(src: str) -> Image.Image:
    match = re.fullmatch(r"data:image/(png|gif);base64,(.+)", src, flags=re.S)
    assert match, f"an image that is not embedded: {src[:60]}"
    image = Image.open(io.BytesIO(base64.b64decode(match.group(2))))
    image.load()
    return image


def test_a_run_directory_holds_data_figures_maps_animation_and_report(run_dir):
    for name in ("scenario.toml", "run.json", "metrics.csv", "metrics.parquet", "units.csv", "units.parquet",
                 "control.npz", "events.jsonl", "will.json", "summary.txt", "report.html", "campaign.gif"):
        assert (run_dir / name).is_file(), name
    assert not (run_dir.parent / "run.partial").exists()
    for png in [*(run_dir / "figures").glob("*.png"), *(run_dir / "maps").glob("*.png")]:
        with Image.open(png) as image:
            image.load()
            assert image.width > 400 and image.height > 200, png
            pixels = np.asarray(image.convert("L"), dtype=float)
            assert pixels.std() > 5, f"{png} is blank"
    assert {p.stem for p in (run_dir / "figures").glob("*.png")} >= {"forces", "unit_states", "territory", "air",
                                                                      "supply", "equipment", "will", "will_factors",
                                                                      "why"}
    assert any(p.stem.startswith("fall_") for p in (run_dir / "maps").glob("*.png"))   # a city fell: its map
    with Image.open(run_dir / "campaign.gif") as gif:
        assert gif.n_frames == STEPS + 1


def test_the_report_is_one_self_contained_page_with_every_section(run_dir):
    page = Page()
    page.feed((run_dir / "report.html").read_text(encoding="utf-8"))
    assert page.sections == list(SECTIONS)
    assert len(page.images) >= 7 + 2                  # six charts and why.png, maps, the animation
    kinds = {_decode(src).format for src in page.images}
    assert kinds == {"PNG", "GIF"}
    assert not [link for link in page.links if link.startswith(("http:", "https:", "//"))]   # works offline
    text = " ".join(page.text)
    assert "Saraqib" in text or "Maarat al-Numan" in text          # the towns that fell are on the timeline
    assert re.search(r"contagion \(neighbours broke\) \d+%", text)   # and why units broke, ranked


def test_why_units_broke_ranks_the_factors_of_each_collapse_weighted_by_personnel(run_dir):
    run = RunData.load(run_dir)
    breaks = break_table(run)
    assert len(breaks) == sum(e["kind"] == "unit_broke" for e in run.events) > 0
    np.testing.assert_allclose(breaks[list(WHY_FACTORS)].sum(axis=1), 1.0, atol=1e-3)
    assert (breaks["near"] != "unknown").all()
    groups = collapses(breaks)
    assert groups and all(g.units >= 3 for g in groups)
    for g in groups:
        shares = [s for _, s in g.factors]
        assert shares == sorted(shares, reverse=True) and sum(shares) == pytest.approx(1.0, abs=1e-6)

    # two breaks of one faction: the larger unit's factors weigh more
    synthetic = pd.DataFrame({"faction": ["saa", "saa"], "personnel": [900, 100], "day": [1.0, 1.5],
                              "near": ["Aleppo", "Aleppo"], "outcome": ["rout", "rout"], "name": ["a", "b"],
                              **{f: [0.0, 0.0] for f in WHY_FACTORS}})
    synthetic.loc[0, "contagion"] = 1.0
    synthetic.loc[1, "force_ratio"] = 1.0
    row = faction_drivers(synthetic).iloc[0]
    assert row["contagion"] == pytest.approx(0.9) and row["force_ratio"] == pytest.approx(0.1)
    later = synthetic.assign(day=[1.0, 9.0], personnel=[500, 500])
    assert collapses(later, gap_days=2.0, min_units=1)[0].units == 1      # eight days apart: two collapses

    one = faction_drivers(synthetic.iloc[:1].assign(faction="hts"))
    fig = figure_drivers(run, pd.concat([faction_drivers(synthetic), one], ignore_index=True))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].endswith(" (2 units)") and labels[1].endswith(" (1 unit)"), labels


def test_a_run_made_again_from_its_saved_scenario_and_seed_is_identical(run_dir):
    run = RunData.load(run_dir)
    again = WarModel(str(run_dir / "scenario.toml"), rng=run.info["seed"])
    for _ in range(run.info["steps"]):
        again.step()
    pd.testing.assert_frame_equal(metrics_frame(again), run.metrics, check_dtype=False)
    pd.testing.assert_frame_equal(units_frame(again).reset_index(drop=True), run.units, check_dtype=False)


def test_every_command_has_help_with_examples(capsys):
    for command in COMMANDS:
        with pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0
        assert "examples:" in capsys.readouterr().out, command


def test_the_run_command_writes_everything_and_names_the_files(tmp_path, capsys):
    out = tmp_path / "classroom"
    assert main(["run", "hts_2024_classroom", "--seed", "2", "--out", str(out), "--no-animation"]) == 0
    printed = capsys.readouterr().out
    assert str(out / "report.html") in printed and "figures/" in printed and "Reproduce with" in printed
    assert re.search(r"The regime (held|collapsed on day [\d.]+ \(.*\)): its leadership's will 0\.65 -> 0\.\d\d", printed)
    assert "will.png" in printed and "will.json" in printed
    assert (out / "report.html").is_file() and not (out / "campaign.gif").exists()
    info = json.loads((out / "run.json").read_text())
    # a built-in scenario, written outside the working directory: by name, runnable from the checkout
    assert info["seed"] == 2 and info["reproduce"] == "python run.py run hts_2024_classroom --seed 2"
    assert info["reproduce_note"] == ""
    assert "python run.py run hts_2024_classroom --seed 2" in printed and str(tmp_path) not in printed.split("Reproduce")[1]


def test_ensembles_give_fan_charts_and_city_falls_and_compare_pairs_scenarios(tmp_path, capsys):
    variant = tmp_path / "unpaid.toml"
    variant.write_text('extends = "hts_2024_classroom"\n[meta]\ntitle = "Unpaid"\nlever = "pay halved"\n'
                       '[factions.saa]\npay = 0.05\n', encoding="utf-8")
    out = tmp_path / "compare"
    assert main(["compare", "hts_2024_classroom", str(variant), "--reps", "3", "--workers", "1",
                 "--out", str(out)]) == 0
    for ensemble in ("hts_2024_classroom", "unpaid"):
        for name in ("ensemble.json", "outcomes.csv", "outcomes.parquet", "series.nc"):
            assert (out / ensemble / name).is_file(), (ensemble, name)
        seeds = json.loads((out / ensemble / "ensemble.json").read_text())["seeds"]
        assert len(seeds) == 3
    assert seeds == json.loads((out / "hts_2024_classroom" / "ensemble.json").read_text())["seeds"]   # paired
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["scenario"]) == {"unpaid"} and (effects["direction"] == "too few runs").all()
    page = Page()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert page.sections == ["objectives", "scenarios", "territory", "falls", "effects", "reproduce"]   # objectives first
    assert all(_decode(src).format == "PNG" for src in page.images) and len(page.images) == 2

    ens = tmp_path / "ensemble"
    assert main(["run", "hts_2024_classroom", "--reps", "3", "--workers", "1", "--out", str(ens), "--quiet"]) == 0
    assert not (ens / "series.parquet").exists()                           # series.nc is the one store
    assert load_ensemble(ens).series["run"].values.tolist() == [0, 1, 2]
    for png in ("fans.png", "city_falls.png"):
        with Image.open(ens / "figures" / png) as image:
            assert image.width > 600
    # the same seeds as the comparison's base: the outcomes are the same runs
    pd.testing.assert_frame_equal(pd.read_parquet(ens / "outcomes.parquet"),
                                  pd.read_parquet(out / "hts_2024_classroom" / "outcomes.parquet"))


def test_a_broken_ffmpeg_costs_the_video_not_the_run(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "ffmpeg"
    fake.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{__import__('os').environ['PATH']}")
    out = tmp_path / "run"
    with pytest.warns(UserWarning, match="campaign.mp4 not written"):
        assert main(["run", "hts_2024_classroom", "--seed", "4", "--out", str(out), "--quiet"]) == 0
    assert (out / "campaign.gif").is_file() and not (out / "campaign.mp4").exists()
    assert (out / "report.html").is_file() and (out / "metrics.parquet").is_file()


def test_compare_never_writes_into_a_directory_it_did_not_make(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["compare", "hts_2024_classroom", "hts_2024_classroom", "--reps", "1", "--out", str(mine)]) == 2
    assert "not a comparison directory" in capsys.readouterr().err
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
