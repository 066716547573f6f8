"""The lab's page: Solara components for the sidebar card of levers, the live map and charts, the status,
and the lab of one scenario around Mesa's SolaraViz controls. `make_page` is what `solara run` serves
(wargame.lab:page)."""

from __future__ import annotations

import math
from html import escape

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from wargame.core.campaign import regime_name
from wargame.core.dates import date_of, format_date
from wargame.core.events import CampaignEnded, CityCaptured
from wargame.core.model import WarModel
from wargame.core.scenario import builtin_names, load_scenario
from wargame.lab.live import live_charts, live_map
from wargame.lab.model import (
    DEFAULT_SCENARIO,
    DEFAULT_SEED,
    LEVERS,
    LabModel,
    date_line,
    is_whole,
    lever_params,
    show,
    slider_step,
)
from wargame.report.style import short_name


def captures(model: WarModel) -> list[CityCaptured]:
    return model.events.of_kind(CityCaptured)


# --------------------------------------------------------------------------------------------- the page


@solara.component
def MapView(model: WarModel):
    update_counter.get()                      # re-render when Mesa's controller steps the model
    solara.Image(live_map(model).png(), width="100%")
    spec = model.spec
    sides = "".join(_chip(side.colour, f"<b>{side_label(sid)}</b> {escape(short_name(side.name))}",
                          square=True) for sid, side in spec.sides.items())
    factions = "".join(_chip(f.colour, escape(short_name(f.name))) for f in spec.factions.values())
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<div style='font-size:12px;line-height:1.7'>{sides}<br>{factions}<br>"
        "<span style='color:#555'>Shading: ground held by a side; black line: the front; dot: the leading "
        "unit of a cell (hollow when routing), larger with more personnel there.</span></div>"))


def _chip(colour: str, label: str, square: bool = False) -> str:
    shape = "2px" if square else "50%"
    return (f"<span style='display:inline-block;margin-right:10px;white-space:nowrap'>"
            f"<span style='display:inline-block;width:10px;height:10px;border-radius:{shape};"
            f"background:{colour};border:1px solid #333;margin-right:4px;vertical-align:middle'></span>"
            f"{label}</span>")


@solara.component
def ChartsView(model: WarModel):
    update_counter.get()
    solara.Image(live_charts(model).png(), width="100%")


@solara.component
def StatusView(model: WarModel):
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=status_html(model))


def side_label(sid: str) -> str:
    """A side's id as a short label: "Regime", "Opposition", "SDF" (its full name is in the map's key)."""
    return sid.upper() if len(sid) <= 3 else sid.replace("_", " ").capitalize()


def status_html(model: WarModel) -> str:
    """The day, date and step, the seed, territory, and the cities and towns taken so far, as HTML
    (solara's Markdown would load a diagram library into the page on every update)."""
    spec = model.spec
    names = {sid: side_label(sid) for sid in spec.sides}
    parts = [(f"<b>{escape(date_line(model))}</b> (step {model.steps} of {spec.total_steps}, "
              f"{spec.meta.hours_per_step} h each)"),
             f"Scenario <code>{escape(model.loaded.name)}</code>, seed {model.seed}."]
    if getattr(model, "seed_note", None):
        parts.append(f"<i>{escape(model.seed_note)}</i>")
    shares = ", ".join(f"{escape(names[s])} {100 * model.metrics[f'territory_{s}']:.0f}%"
                       for s in model.side_ids)
    parts.append(f"Territory: {shares}.")
    parts.append(will_html(model))
    ended = model.events.of_kind(CampaignEnded)
    if ended:
        parts.append(f"<b>The campaign has ended:</b> {escape(ended[-1].reason)}.")
    taken = captures(model)
    if taken:
        items = []
        for e in reversed(taken[-12:]):
            when_taken = format_date(date_of(spec.meta.start, e.day), "short")
            loser, taker = names.get(e.from_side, e.from_side), names.get(e.side, e.side)
            items.append(f"<li>{when_taken} <b>{escape(e.name)}</b>: "
                         f"{escape(loser)} &rarr; {escape(taker)}</li>")
        if len(taken) > 12:
            items.append(f"<li>... and {len(taken) - 12} earlier</li>")
        parts.append(f"Cities and towns taken so far ({len(taken)}), latest first:"
                     f"<ul style='margin:2px 0 0 0'>{''.join(items)}</ul>")
    else:
        parts.append("No city or town has changed hands yet.")
    body = "".join(f"<div style='margin-bottom:4px'>{p}</div>" for p in parts)
    return f"<div style='font-size:13px;line-height:1.45'>{body}</div>"


def will_html(model: WarModel) -> str:
    """The will to fight now: each leadership's (and whether its regime has collapsed), then each fielded
    faction's, with its change since the start."""
    w = model.will
    spec = model.spec
    parts = []
    for s, entry in w.leadership.items():
        sid = model.side_ids[s]
        regime = regime_name(sid).capitalize()
        state = (f"<b style='color:#d7301f'>collapsed on day {w.collapsed[s]:g}</b>" if s in w.collapsed
                 else f"collapses below {spec.rules.will.collapse:.2f}")
        parts.append(f"<b>{escape(regime)}'s leadership {w.value[entry]:.2f}</b> ({state})")
    fielded = {u.faction for u in spec.units.values()}
    for f, fid in enumerate(model.faction_ids):
        if fid in fielded:
            change = w.value[f] - w.start[f]
            parts.append(f"{escape(short_name(spec.factions[fid].name))} {w.value[f]:.2f}"
                         + (f" ({change:+.2f})" if abs(change) >= 0.005 else ""))
    return "Will to fight: " + "; ".join(parts) + "."


@solara.component
def LeverCard(model: WarModel, name: str, loaded, levers: dict, scenarios: list[str], on_scenario):
    """Our sidebar card: the scenario and its main levers. Each slider writes into `levers`, the dict
    Mesa passes to the model as its `overrides` at the next Reset."""
    values = solara.use_reactive(dict(levers))        # what the sliders show (levers is not reactive)
    applied = {p.path: p.value for p in lever_params(model.loaded)}
    params = lever_params(loaded)

    def setter(param):
        low, high = param.range

        def set_value(value) -> None:
            # within the range and without float noise (0.30000000000000004): the value is validated
            # against the parameter's bounds when the model is built
            value = min(max(round(float(value), 10), low), high)
            levers[param.path] = value
            values.set({**values.value, param.path: value})
        return set_value

    with solara.Sidebar(), solara.Card("Scenario and levers"):
        solara.Select("Scenario", value=name, values=scenarios, on_value=on_scenario)
        solara.Text(loaded.scenario.meta.title, style={"font-size": "12px", "color": "#555"})
        for p in params:
            whole = is_whole(p)
            value = values.value[p.path]
            changed = not math.isclose(value, applied.get(p.path, value), rel_tol=1e-9, abs_tol=1e-12)
            slider = solara.SliderInt if whole else solara.SliderFloat
            tip = (f"{p.path}: {p.note or 'no note'}. Range {show(p.range[0])} to {show(p.range[1])}; "
                   f"the scenario's value {show(p.value)}.")
            with solara.Tooltip(tip), solara.Column(gap="0px", style={"margin-top": "6px"}):
                solara.Text(f"{LEVERS[p.path]}: {show(value)}" + ("  (at Reset)" if changed else ""),
                            style={"font-size": "13px", "font-weight": "bold" if changed else "normal"})
                slider("", value=int(value) if whole else float(value), on_value=setter(p),
                       min=int(p.range[0]) if whole else float(p.range[0]),
                       max=int(p.range[1]) if whole else float(p.range[1]),
                       step=slider_step(*p.range, whole), thumb_label=True)
        pending = [LEVERS[p.path] for p in params
                   if not math.isclose(values.value[p.path], applied.get(p.path, p.value), rel_tol=1e-9,
                                       abs_tol=1e-12)]
        if pending:
            solara.Info(f"Press Reset to run with the new {', '.join(pending)}.", dense=True)

        def restore() -> None:
            for p in params:
                levers[p.path] = p.value
            values.set({p.path: p.value for p in params})

        solara.Button("Scenario's values", on_click=restore, text=True, small=True,
                      disabled=all(math.isclose(values.value[p.path], p.value) for p in params))


@solara.component
def LabBody(model: WarModel, name: str, loaded, levers: dict, scenarios: list[str], on_scenario):
    # A component below SolaraViz's level, so that our sidebar card comes after Mesa's controls:
    # solara orders sidebar entries by the depth of the component that adds them.
    LeverCard(model, name, loaded, levers, scenarios, on_scenario)
    with solara.Columns([3, 2]):
        with solara.Column():
            MapView(model)
        with solara.Column():
            ChartsView(model)
            StatusView(model)


@solara.component
def ScenarioLab(name: str, seed, scenarios: list[str], on_scenario):
    """The lab of one scenario: its model (rebuilt by Mesa's Reset) and its levers."""
    loaded = solara.use_memo(lambda: load_scenario(name), [name])
    levers = solara.use_memo(lambda: {p.path: p.value for p in lever_params(loaded)}, [name])
    first = solara.use_memo(lambda: LabModel(name, rng=seed, overrides=levers), [name])
    model = solara.use_reactive(first)
    model_params = {
        "scenario": name,
        "rng": {"type": "InputText", "value": str(seed), "label": "Seed (a whole number)"},
        # Mesa keeps the fixed parameters it was given and passes them at each Reset: this dict, which
        # the lever sliders write into, therefore reaches the new model with the sliders' values.
        "overrides": levers,
    }
    # SolaraViz puts its app bar and controls into the page's layout (portals) and draws nothing in place
    # with no components of its own, but its empty placeholders would leave a gap over the map.
    with solara.Div(style={"display": "none"}):
        SolaraViz(model, components=[], model_params=model_params,
                  name=f"Modelling lab: {loaded.scenario.meta.title}", play_interval=150, render_interval=1)
    LabBody(model.value, name, loaded, levers, scenarios, on_scenario)


@solara.component
def Lab(scenario: str = DEFAULT_SCENARIO, seed: int = DEFAULT_SEED):
    """The page: a fresh lab (model, controls, levers) for each scenario chosen."""
    name = solara.use_reactive(scenario)
    scenarios = builtin_names()
    if name.value not in scenarios:                  # a scenario file given on the command line
        scenarios = [name.value, *scenarios]
    ScenarioLab(name.value, seed, scenarios, name.set).key(f"lab-{name.value}")


def make_page(scenario: str = DEFAULT_SCENARIO, seed: int = DEFAULT_SEED):
    """The lab page for a scenario (a name or a file): what `solara run` serves."""
    return Lab(scenario=scenario, seed=seed)
