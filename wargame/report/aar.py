"""The after-action report: one self-contained HTML file (images embedded) that says what happened and why.

Sections (each an element with this id, in this order):
  summary     the campaign in a few lines: dates, end, cities taken, ground won and lost, forces
  timeline    the key events by date: cities and bases taken, collapses, strategic decisions, local deals,
              uprisings, a regime's collapse, objectives
  will        why the regime collapsed (or held): its leadership's and its army's will by factor, in plain
              words, the chain of decisions that led there, every faction's will, and the will charts
  charts      the run's other charts (report.charts)
  maps        campaign maps at chosen days and at each city's fall, and the animation
  why         why units broke: the factors behind each faction's breaks, then each collapse ranked by
              factor, then every break
  reproduce   the files of the run directory and the command that makes it again
It reads only the run directory (RunData and the images already drawn there).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from wargame.core.dates import date_of, format_date
from wargame.output.files import write_text_atomic
from wargame.report.agg import TextCanvasAgg
from wargame.report.html import esc, figure, page
from wargame.report.objectives import objective_label, place_names
from wargame.report.style import faction_colours, save_figure, short_name, theme
from wargame.report.summary import NOT_ENDED, run_objectives
from wargame.report.why import WHY_FACTORS, Collapse, break_table, collapses, faction_drivers, factor_label
from wargame.report.will import CHAIN_KINDS, Verdict, entries, factor_lines, regime_verdicts, will_events

SECTIONS = ("objectives", "summary", "timeline", "will", "charts", "maps", "why", "reproduce")
WILL_CHARTS = ("will", "will_factors")       # drawn by report.charts, shown in the will section
EMBED_LIMIT = 12 * 2 ** 20           # an animation larger than this is linked, not embedded
FACTOR_COLOURS = dict(zip(WHY_FACTORS, matplotlib.colormaps["tab20"].colors))
TIMELINE_KINDS = ("city_captured", "base_captured", "objective_achieved", "strategic_decision", "unit_defected",
                  "local_deal", "uprising", "regime_collapsed", "campaign_ended")
CHART_CAPTIONS = {
    "forces": "Strength, morale and cohesion of each faction (morale and cohesion weighted by personnel).",
    "unit_states": "Units of each side by state: how many fight on, waver, or have broken, and how.",
    "territory": "Share of the theatre and number of cities and towns each side holds.",
    "air": "Air war: sorties and strikes per day, cruise missiles and drone raids.",
    "supply": "Supply and encirclement: ground each side can supply, pockets, units cut off.",
    "equipment": "Equipment captured from broken units and overrun bases.",
    "will": ("The will to fight of each faction and of the regime's leadership (black), with the fall of the "
             "governorate capitals and the day a regime collapsed."),
    "will_factors": "What moved each will over the run, factor by factor: losses left of zero, gains right.",
}

# --- sections -------------------------------------------------------------------------------------------

def _when(run, day: float) -> str:
    return format_date(date_of(run.start, day), "minute")


def _faction_name(run, fid: str) -> str:
    faction = run.scenario.factions.get(fid)
    return short_name(faction.name) if faction else fid


def _side_name(run, sid: str) -> str:
    side = run.scenario.sides.get(sid)
    return side.name if side else sid


def _swatch(colour: str) -> str:
    return f'<span class="swatch" style="background:{esc(colour)}"></span>'


def _rgb(colour) -> str:
    r, g, b = (round(c * 255) for c in colour[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _factor_bar(factors: list[tuple[str, float]]) -> str:
    parts = "".join(f'<span title="{esc(factor_label(f))} {s:.0%}" style="width:{s * 100:.1f}%;'
                    f'background:{_rgb(FACTOR_COLOURS[f])}"></span>' for f, s in factors if f in FACTOR_COLOURS)
    return f'<div class="bar">{parts}</div>'


def _summary(run) -> str:
    m, info = run.metrics, run.info
    first, last = m.iloc[0], m.iloc[-1]
    captures = [e for e in run.events if e["kind"] == "city_captured"]
    rows = []
    for sid in run.scenario.sides:
        if f"territory_{sid}" not in m:
            continue
        change = last[f"territory_{sid}"] - first[f"territory_{sid}"]
        rows.append(f"<tr><td>{_swatch(run.scenario.sides[sid].colour)}{esc(_side_name(run, sid))}</td>"
                    f'<td class="num">{first[f"territory_{sid}"]:.1%}</td><td class="num">{last[f"territory_{sid}"]:.1%}</td>'
                    f'<td class="num">{change:+.1%}</td><td class="num">{int(first[f"cities_{sid}"])}</td>'
                    f'<td class="num">{int(last[f"cities_{sid}"])}</td></tr>')
    forces = []
    colours = faction_colours(run.scenario)
    for fid in run.scenario.factions:
        if f"personnel_{fid}" not in m or first[f"personnel_{fid}"] <= 0 and last[f"personnel_{fid}"] <= 0:
            continue
        states = {s: int(last.get(f"units_{s}_{fid}", 0)) for s in
                  ("active", "shaken", "routing", "surrendered", "dissolved", "defected", "destroyed", "withdrawn")}
        broken = sum(v for s, v in states.items() if s not in ("active", "shaken", "withdrawn"))
        will = last.get(f"will_{fid}")
        forces.append(f"<tr><td>{_swatch(colours[fid])}{esc(_faction_name(run, fid))}</td>"
                      f'<td class="num">{first[f"personnel_{fid}"]:,.0f}</td><td class="num">{last[f"personnel_{fid}"]:,.0f}</td>'
                      f'<td class="num">{last.get(f"killed_{fid}", 0):,.0f}</td>'
                      f'<td class="num">{last.get(f"captured_{fid}", 0):,.0f}</td>'
                      f'<td class="num">{last.get(f"deserted_{fid}", 0):,.0f}</td>'
                      f'<td class="num">{last[f"morale_{fid}"]:.2f}</td>'
                      f'<td class="num">{"" if will is None else f"{will:.2f}"}</td>'
                      f'<td class="num">{broken} of {sum(states.values())}'
                      f'{f", {states["withdrawn"]} withdrawn" if states["withdrawn"] else ""}</td></tr>')
    taken = ", ".join(f"{esc(e['name'])} (day {e['day']:g}, to {esc(_side_name(run, e['side']))})" for e in captures)
    return f"""
<p>{esc(run.scenario.meta.description.strip()) if run.scenario.meta.description else ""}</p>
<p><b>{info['days']:.2f} days</b> from {_when(run, 0)} to {_when(run, info["days"])}
({info['steps']} steps of {info['hours_per_step']} h); the run ended: <b>{esc(info['end_reason'] or NOT_ENDED)}</b>.</p>
<p><b>Cities and towns that changed hands ({len(captures)}):</b> {taken or "none"}.</p>
<h3>Ground</h3>
<table><tr><th>side</th><th>territory at start</th><th>at end</th><th>change</th><th>cities and towns at start</th>
<th>at end</th></tr>{''.join(rows)}</table>
<h3>Forces</h3>
<table><tr><th>faction</th><th>personnel at start</th><th>at end</th><th>killed</th><th>captured</th><th>deserted</th>
<th>morale at end</th><th>will at end</th><th>units broken at the end</th></tr>{''.join(forces)}</table>"""


def _objectives(run) -> str:
    """The report's first section: the same sentences as the console's "Objectives:" block."""
    lines = run_objectives(run.scenario, run.metrics, run.events)
    if not lines:
        return "<p>This scenario declares no objectives and no side's regime can collapse.</p>"
    return ("<p>The campaign's own objectives (the scenario's [objectives.*]), then whether each regime "
            "collapsed:</p><ul class='objectives'>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>")


def _timeline(run, groups: list[Collapse]) -> str:
    items = []
    names = place_names(run.scenario) if run.scenario.objectives else {}
    worded = {id(e): text for e, text in will_events(run)}      # the will's events, with courses merged
    for e in run.events:
        kind = e["kind"]
        if kind not in TIMELINE_KINDS or (kind in CHAIN_KINDS and id(e) not in worded):
            continue
        if kind == "city_captured":
            text = f"{e['name']} taken by {_side_name(run, e['side'])} from {_side_name(run, e['from_side'])}"
        elif kind == "base_captured":
            text = (f"{e['name']} taken by {_side_name(run, e['side'])}"
                    + (f", with {e['aircraft']:g} aircraft on it" if e.get("aircraft") else ""))
        elif kind == "objective_achieved":
            label = (objective_label(run.scenario, e["objective"], names) if e["objective"] in run.scenario.objectives
                     else e["objective"])
            text = f"{_side_name(run, e['side'])} achieves its objective: {label} ({e['share']:.0%} held)"
        elif kind in CHAIN_KINDS:
            text = worded[id(e)]
        elif kind == "unit_defected":
            text = f"{e['name']} ({e['personnel']:,} men) defects to {_faction_name(run, e['new_faction'])}"
        else:
            text = f"campaign ends: {e['reason']}"
        items.append((float(e["day"]), kind.replace("_", " "), text))
    for c in groups:
        items.append((c.first_day, "collapse",
                      (f"{_faction_name(run, c.faction)} collapse near {c.near}: {c.units} units "
                      f"({c.personnel:,} men) break by day {c.last_day:g}; {c.factors_text(3)}")))
    items.sort(key=lambda item: (item[0], item[1] != "collapse"))
    rows = "".join(f'<tr><td class="date">{_when(run, day)}</td><td class="num">{day:g}</td><td><span class="kind">{esc(kind)}'
                   f"</span></td><td>{esc(text)}</td></tr>" for day, kind, text in items)
    return (f"<table><tr><th>date</th><th>day</th><th>what</th><th>event</th></tr>{rows}</table>" if items
            else "<p>No key events in this run.</p>")


def _charts(charts: dict[str, Path]) -> str:
    return "".join(figure(path, CHART_CAPTIONS.get(name, name.replace("_", " "))) for name, path in charts.items()
                   if name not in WILL_CHARTS)


def _signed(x: float) -> str:
    """+0.12, -0.07, and 0.00 (not "-0.00") for a change that rounds to nothing."""
    return "0.00" if abs(x) < 0.005 else f"{x:+.2f}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def will_title(verdicts: list[Verdict]) -> str:
    """The will section's heading: what became of the regime, when there is one regime to speak of."""
    return verdicts[0].title if len(verdicts) == 1 else "The will to fight"


def _factor_list(lines: list[tuple[str, float, str]]) -> str:
    if not lines:
        return "<p>Nothing moved it.</p>"
    items = "".join(f'<li class="{"loss" if v < 0 else "gain"}">{esc(text)}</li>' for _, v, text in lines)
    return f'<ol class="factors">{items}</ol>'


def _verdict(run, v: Verdict) -> str:
    lead, army = v.leadership, v.army
    if v.collapsed:
        out = v.outcome or {}
        fate = (f" Its army and militias went home ({out.get('deserted', 0)} units), surrendered "
                f"({out.get('surrendered', 0)}) or left the theatre ({out.get('withdrew', 0)}), and the campaign "
                "ended." if out else "")
        head = (f"<p><b>The leadership's will fell from {lead.start:.2f} to "
                f"{lead.end:.2f}</b>, below the {v.threshold:.2f} at which a leadership gives up, and the regime "
                f"collapsed on day {v.day:g} ({_when(run, v.day)}).{esc(fate)}</p>")
    else:
        margin = lead.end - v.threshold
        moved = (f"went from {lead.start:.2f} to {lead.end:.2f}" if round(lead.start, 2) != round(lead.end, 2)
                 else f"stayed at {lead.end:.2f}")
        head = (f"<p><b>The leadership's will {moved}</b>: it held, {margin:.2f} above the {v.threshold:.2f} at "
                "which a leadership gives up.</p>")
    verb = "broke" if v.collapsed else "moved"
    columns = [f"<div><h3>What {verb} the leadership's will</h3>"
               f"<p class='dim'>{esc(_capital(lead.label))}, {lead.start:.2f} → {lead.end:.2f}; losses first, largest "
               f"first</p>{_factor_list(v.leadership_factors)}</div>"]
    if army is not None:
        columns.append(f"<div><h3>What {verb} its army's will</h3><p class='dim'>{esc(army.label)}, "
                       f"{army.start:.2f} → {army.end:.2f}</p>{_factor_list(v.army_factors)}</div>")
    rows = "".join(f'<tr><td class="date">{_when(run, day)}</td><td class="num">{day:g}</td>'
                   f'<td><span class="kind">{esc(what)}</span></td><td>{esc(text)}</td></tr>'
                   for day, what, text in v.chain)
    chain = (f"<h3>The chain of decisions</h3><p>Its command's decisions (places abandoned, the fall-back), its "
             f"units' local deals, the uprisings against it, its patrons' courses and its enemies', day by day."
             f"</p><table><tr><th>date</th><th>day</th><th>what</th><th>decision</th></tr>{rows}</table>"
             if rows else "<h3>The chain of decisions</h3><p>No decision bore on the regime in this run.</p>")
    return head + f'<div class="twocol">{"".join(columns)}</div>' + chain


def _will(run, charts: dict[str, Path], verdicts: list[Verdict]) -> str:
    found = entries(run)
    if not found:
        return "<p>This run kept no will to fight (it was written before the will was modelled).</p>"
    out = [("<p>Every faction, and the leadership of a state with an army, has a will to fight (0 to 1). Named "
            "factors move it every step and its ledger records them: cities and bases lost or taken, the speed "
            "of the enemy's advance, units breaking, desertion, patrons' decisions, commanders killed, the "
            "conditions that make every loss worse, and recovery with time. Units hear of it late, and fight, "
            "desert or settle as it falls; when a leadership's will falls below the threshold, its regime "
            "collapses.</p>")]
    for v in verdicts:
        if len(verdicts) > 1:
            out.append(f"<h3>{esc(v.title)}</h3>")
        out.append(_verdict(run, v))
    if "will" in charts:
        out.append(figure(charts["will"], CHART_CAPTIONS["will"]))
    rows = []
    colours = faction_colours(run.scenario)
    for e in sorted(found, key=lambda e: not e.leadership):             # the leaderships first
        top = sorted(factor_lines(run, e), key=lambda line: -abs(line[1]))[:3]
        swatch = _swatch(colours[e.id]) if e.id in colours else _swatch("#1d1d1d")
        rows.append(f"<tr><td>{swatch}{esc(_capital(e.label))}</td>"
                    f"<td>{esc(_side_name(run, e.side))}</td><td class='num'>{e.start:.2f}</td>"
                    f"<td class='num'>{e.end:.2f}</td><td class='num'>{_signed(e.end - e.start)}</td>"
                    f"<td>{esc('; '.join(text for _, _, text in top)) or '-'}</td></tr>")
    out.append("<h3>Every faction's will</h3><table><tr><th>faction or leadership</th><th>side</th><th>start</th>"
               f"<th>end</th><th>change</th><th>main factors (largest first)</th></tr>{''.join(rows)}</table>")
    if "will_factors" in charts:
        out.append(figure(charts["will_factors"], CHART_CAPTIONS["will_factors"]))
    return "".join(out)


def _maps(maps: list[tuple[Path, str]], animation: list[Path], animation_left_out: bool = False) -> str:
    out = []
    if animation_left_out:
        out.append("<p>The campaign animation was left out of this report (it was drawn with --no-animation); "
                   "<code>python run.py report</code> on this run's directory draws it.</p>")
    gif = next((p for p in animation if p.suffix == ".gif"), None)
    mp4 = next((p for p in animation if p.suffix == ".mp4"), None)
    if gif is not None:
        if gif.stat().st_size <= EMBED_LIMIT:
            out.append(figure(gif, "The whole campaign: control and units, step by step."))
        else:
            out.append(f'<p>The campaign animation is in <a href="{esc(gif.name)}">{esc(gif.name)}</a>.</p>')
    if mp4 is not None:
        out.append(f'<p>As a video: <a href="{esc(mp4.name)}">{esc(mp4.name)}</a> (in the run directory).</p>')
    out.append('<div class="maps">' + "".join(figure(path, caption) for path, caption in maps) + "</div>")
    return "".join(out) if maps or animation or animation_left_out else "<p>No maps were drawn for this run.</p>"



def figure_drivers(run, drivers: pd.DataFrame):
    """Horizontal bars, one per faction with breaks: the share of each factor in the morale its broken
    units lost (weighted by personnel)."""
    with theme():
        fig = Figure(figsize=(10.5, 0.55 * max(len(drivers), 2) + 1.6), layout="constrained")   # no pyplot
        TextCanvasAgg(fig)
        ax = fig.add_subplot()
        names = [f"{_faction_name(run, f)} ({u} unit{'s' * (u != 1)})"
                 for f, u in zip(drivers["faction"], drivers["units"])]
        left = np.zeros(len(drivers))
        shown = [f for f in WHY_FACTORS if (drivers[f] > 0.02).any()]
        for factor in shown:
            values = drivers[factor].to_numpy()
            ax.barh(names, values, left=left, color=FACTOR_COLOURS[factor], label=factor_label(factor),
                    edgecolor="white", linewidth=0.5)
            for y, (x0, v) in enumerate(zip(left, values)):
                if v >= 0.08:
                    ax.text(x0 + v / 2, y, f"{v:.0%}", ha="center", va="center", fontsize=8, color="black")
            left += values
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0%}"))
        ax.set_xlabel("share of the morale lost before breaking (weighted by personnel)")
        ax.set_title("Why units broke, by faction")
        fig.suptitle(f"{run.scenario.meta.title}, seed {run.info.get('seed')}", fontsize=9, fontweight="normal",
                     color="#555555", x=0.01, ha="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="factor", title_fontsize=8.5)
    return fig


def _why(run, breaks: pd.DataFrame, groups: list[Collapse], drivers_png: Path | None) -> str:
    if breaks.empty:
        return "<p>No unit broke in this run.</p>"
    broke, units = len(breaks), breaks["unit"].nunique()
    # a unit can break, rally and break again: the breaks are counted, not the units (those broken at the end
    # are in the forces table)
    out = [(f"<p>{broke} break{'s' * (broke != 1)} by {units} unit{'s' * (units != 1)} (a unit can break more than "
            f"once; {int(breaks['personnel'].sum()):,} men at the breaks). Each unit's morale "
           "ledger records how much morale each factor took in the days before it broke; below, those shares are "
           "weighted by the personnel that broke.</p>")]
    if drivers_png is not None:
        out.append(figure(drivers_png, "The factors behind each faction's breaks."))
    drivers = faction_drivers(breaks)
    out.append("<h3>What drove each faction's collapse</h3><table><tr><th>faction</th><th>breaks</th>"
               "<th>men</th><th>main factors</th><th></th></tr>")
    for _, row in drivers.iterrows():
        ranked = sorted(((f, row[f]) for f in WHY_FACTORS if row[f] > 0), key=lambda kv: -kv[1])
        text = ", ".join(f"{factor_label(f)} {s:.0%}" for f, s in ranked[:4] if s >= 0.005)
        out.append(f"<tr><td>{esc(_faction_name(run, row['faction']))}</td><td class='num'>{row['units']}</td>"
                   f"<td class='num'>{row['personnel']:,}</td><td>{esc(text)}</td><td>{_factor_bar(ranked)}</td></tr>")
    out.append("</table>")
    out.append(f"<h3>Collapses ({len(groups)})</h3><p>A collapse: three or more units of one faction, each breaking "
               "within 15 km and a day of another break of the group (so a front that gives way village by village "
               "is one collapse), named after the place where most of its men broke.</p>")
    colours = faction_colours(run.scenario)
    for c in groups:
        outcomes = ", ".join(f"{n} {k}" for k, n in sorted(c.outcomes.items(), key=lambda kv: -kv[1]))
        days = f"day {c.first_day:g}" + (f" to {c.last_day:g}" if c.last_day > c.first_day else "")
        out.append(f'<div class="collapse" style="border-color:{esc(colours.get(c.faction, "#999"))}">'
                   f"<b>{esc(_faction_name(run, c.faction))} near {esc(c.near)}</b>, {days} "
                   f"({_when(run, c.first_day)}): {c.units} units, {c.personnel:,} men ({esc(outcomes)})."
                   f"<br>Factors: <b>{esc(c.factors_text(5))}</b>{_factor_bar(c.factors)}</div>")
    rows = []
    for _, b in breaks.sort_values("day").iterrows():
        ranked = sorted(((f, b[f]) for f in WHY_FACTORS if b[f] > 0), key=lambda kv: -kv[1])
        rows.append(f"<tr><td class='num'>{b['day']:g}</td><td>{esc(b['name'])}</td>"
                    f"<td>{esc(_faction_name(run, b['faction']))}</td><td>{esc(b['outcome'])}</td>"
                    f"<td>{esc(b['near'])}</td><td class='num'>{b['personnel']:,}</td>"
                    f"<td class='num'>{b['loss_share']:.0%}</td>"
                    f"<td>{esc(', '.join(f'{factor_label(f)} {s:.0%}' for f, s in ranked[:3] if s >= 0.005))}</td></tr>")
    out.append(f"<details><summary>Every break ({len(breaks)})</summary><table><tr><th>day</th><th>unit</th>"
               "<th>faction</th><th>became</th><th>near</th><th>men</th><th>losses</th><th>main factors</th></tr>"
               + "".join(rows) + "</table></details>")
    return "".join(out)


def _reproduce(run) -> str:
    files = sorted({p.name + ("/" if p.is_dir() else "") for p in run.directory.iterdir() if not p.name.startswith(".")}
                   | {"report.html"})
    info = run.info
    command = info.get("reproduce") or f"python run.py run scenario.toml --seed {info.get('seed')}"
    return (f"<p>Made by wargame {esc(info.get('wargame_version'))} on Mesa {esc(info.get('mesa_version'))}, "
            f"Python {esc(info.get('python'))}. Run it again, bit for bit, from the saved scenario and seed:</p>"
            f"<pre>{esc(command)}</pre>"
            + (f"<p class='dim'>{esc(info['reproduce_note'])}.</p>" if info.get("reproduce_note") else "")
            + f"<p>Files in the run directory: {', '.join(esc(f) for f in files)}.</p>")


def draw_why(run, directory: str | Path) -> Path | None:
    """figures/why.png (the factors behind each faction's breaks), or None when no unit broke."""
    breaks = break_table(run)
    if breaks.empty:
        return None
    return save_figure(figure_drivers(run, faction_drivers(breaks)), Path(directory) / "figures" / "why.png")


def write_report(run, directory: str | Path, charts: dict[str, Path], maps: list[tuple[Path, str]],
                 animation: list[Path], why_png: Path | None = None, animation_left_out: bool = False) -> Path:
    """Write report.html into the run directory and return its path. `maps` pairs each image with its
    caption; `animation` lists the animation files (GIF embedded, video linked); `animation_left_out`:
    the report was drawn without its animation on purpose (it says so). `why_png`: figures/why.png
    already drawn (draw_why), else it is drawn here when some unit broke."""
    directory = Path(directory)
    breaks = break_table(run)
    groups = collapses(breaks)
    drivers_png = why_png
    if drivers_png is None and not breaks.empty:
        drivers_png = draw_why(run, directory)
    meta = run.scenario.meta
    verdicts = regime_verdicts(run)
    sections = {
        "objectives": ("Objectives", _objectives(run)),
        "summary": ("Summary", _summary(run)),
        "timeline": ("Timeline of key events", _timeline(run, groups)),
        "will": (will_title(verdicts), _will(run, charts, verdicts)),
        "charts": ("Charts", _charts(charts)),
        "maps": ("Campaign maps", _maps(maps, animation, animation_left_out)),
        "why": ("Why units broke", _why(run, breaks, groups, drivers_png)),
        "reproduce": ("Reproduce this run", _reproduce(run)),
    }
    title = f"After-action report: {meta.title} (seed {run.info.get('seed')})"
    from wargame.report.ensemble import lever_text, overrides_text

    meta_html = (f"Scenario <b>{esc(run.info['scenario'])}</b>, seed {esc(run.info.get('seed'))}"
                 f"{overrides_text(run.info.get('overrides'))}{lever_text(run.scenario)}; "
                 f"{_when(run, 0)} to {_when(run, run.info['days'])}. Written {esc(run.info.get('written', ''))}.")
    text = page(title, f"After-action report: {meta.title}", meta_html, sections)
    return write_text_atomic(directory / "report.html", text)
