"""The whole campaign as an animation: campaign.gif (and campaign.mp4 where ffmpeg is installed).

The map is the report's (maps.campaign), drawn by blitting (maps.canvas.Blit): the unchanging figure
(terrain, sea, legend, fixed title) is drawn once and kept; each frame restores it and draws only what
changes (the control shading, front line, counters, the date and the latest-event caption) plus the
theatre's layers that must stay on top of the shading (roads, rivers, border, place names), which are
kept as bitmaps and laid over in numpy. That is what keeps ~85 frames to a few seconds.

The GIF is quantised to one palette shared by all frames (no dithering), and each frame after the first
stores only the pixels that changed (the rest transparent, showing the frame before): a map that changes
in a few places per frame then costs little per frame.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
from matplotlib.animation import FFMpegWriter
from PIL import Image

from wargame.core.errors import WargameError
from wargame.output.files import write_atomic
from wargame.report.maps.campaign import prepare_axes
from wargame.report.maps.canvas import Blit, new_figure
from wargame.report.maps.frame import fighting_area
from wargame.report.maps.layers import Z_CONTROL
from wargame.report.maps.legend import legend_column, legend_sections
from wargame.report.maps.runview import view_of
from wargame.report.style import short_name

FIGSIZE = (10.0, 6.6)      # inches at DPI: 1200 x 792 px frames
DPI = 120
LAST_FRAME_MS = 2500       # hold the end so a looping GIF does not jump straight back to the start
CAPTION_KINDS = ("city_captured", "base_captured", "campaign_ended")


def frame_steps(run, every: int = 1) -> list[int]:
    """The steps drawn: every `every`-th control snapshot, and always the last."""
    steps = [int(s) for s in view_of(run).steps]
    chosen = steps[::max(1, int(every))]
    if chosen[-1] != steps[-1]:
        chosen.append(steps[-1])
    return chosen


def event_caption(view, step: int, lines: int = 2) -> str:
    """The latest notable events up to `step`, newest first (e.g. "30 Nov 11:00  Aleppo taken by ...")."""
    scenario = view.run.scenario
    notable = [e for e in view.run.events if e.get("kind") in CAPTION_KINDS and view.event_step(e) <= step]
    out = []
    for e in reversed(notable[-lines:]):
        when = view.short_date(view.event_step(e))
        kind = e["kind"]
        if kind in ("city_captured", "base_captured"):
            taker = short_name(scenario.sides[e["side"]].name) if e.get("side") in scenario.sides else e.get("side")
            out.append(f"{when}  {e.get('name', '?')} taken by {taker}")
        else:
            out.append(f"{when}  campaign ended: {e.get('reason', '')}")
    return "\n".join(out) if out else "No town has changed hands yet."


def render_frames(run, every: int = 1, zoom="auto", steps: list[int] | None = None) -> list[np.ndarray]:
    """RGB frames (h x w x 3 uint8) of the campaign, one per chosen step (frame_steps), or one per step of
    `steps` (a share of them: frames are drawn side by side in worker processes). A frame depends on its
    step only, never on the frames drawn before it in the same figure."""
    view = view_of(run)
    if isinstance(zoom, str) and zoom == "auto":
        zoom = fighting_area(view.theatre, view.run.control)
    fig = new_figure(FIGSIZE, DPI)
    ax = fig.add_axes([0.005, 0.085, 0.64, 0.82])
    fig, ax, layers, limits = prepare_axes(view, ax=ax, zoom=zoom, dpi=DPI, animated=True, label_fontsize=5.5)
    legend_column(ax, legend_sections(view.run.scenario, view.shading, None, view.factions_in(limits)), fontsize=7.0,
                  x=1.02)
    fig.text(0.01, 0.975, view.run.scenario.meta.title, fontsize=11, weight="bold", va="top")
    fig.text(0.01, 0.012, "Simulated campaign (wargame model run), not a record of events; "
             f"scenario {view.run.info.get('scenario', '?')}, seed {view.run.info.get('seed')}."
             + ("  Area of the fighting shown." if zoom is not None else ""),
             fontsize=6.5, color="#555555")
    date = fig.text(0.01, 0.94, "", fontsize=10.5, va="top", animated=True)
    caption = fig.text(0.01, 0.072, "", fontsize=8, va="top", animated=True,
                       bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#999999", "alpha": 0.9})
    shares = fig.text(0.66, 0.10, "", fontsize=7.5, va="bottom", animated=True)
    names = {sid: short_name(side.name) for sid, side in view.run.scenario.sides.items()}
    # what else stands over the shading (a detail map's scale bar) is redrawn with each frame too
    changing = set(layers.changing)
    above = [a for a in (*ax.lines, *ax.patches, *ax.texts) if a not in changing and a.get_zorder() > Z_CONTROL]
    for artist in above:
        artist.set_animated(True)
    blit = Blit(fig)
    frames = []
    for step in frame_steps(run, every) if steps is None else steps:
        layers.update(step)
        text = view.date_line(step)
        date.set_text(text[0].upper() + text[1:])
        caption.set_text(event_caption(view, step))
        share = view.territory_share(view.control_at(step))
        shares.set_text("Territory held\n" + "\n".join(f"{100 * share[s]:3.0f}%  {names[s]}" for s in view.side_ids))
        # the caption and the shares repeat from frame to frame: each string drawn once (Blit's stamps)
        buffer = blit.frame([[*layers.changing, *above], layers.map.spines, [date]], stamped=[caption, shares])
        frames.append(buffer[..., :3].copy())
    return frames


def _shared_palette(frames: list[np.ndarray], exact: int = 176) -> Image.Image:
    """One 255-colour palette for every frame (index 255 is kept for "unchanged"): the `exact` most
    common colours of a few frames kept as they are (the flat fills of shading, counters and markers,
    which a median cut would merge into their neighbours: a brown faction drawn red), the rest of the
    entries from a median cut for the antialiased edges and text."""
    sample = np.concatenate([frames[i] for i in sorted({0, len(frames) // 2, len(frames) - 1})], axis=0)
    packed = (sample[..., 0].astype(np.int32) << 16) | (sample[..., 1].astype(np.int32) << 8) | sample[..., 2]
    colours, counts = np.unique(packed.ravel(), return_counts=True)
    common = colours[np.argsort(-counts, kind="stable")[:exact]]
    rgb = np.stack([(common >> 16) & 255, (common >> 8) & 255, common & 255], axis=1)
    rest = Image.fromarray(sample).quantize(colors=255 - len(rgb), method=Image.Quantize.MEDIANCUT,
                                            dither=Image.Dither.NONE)
    extra = np.asarray(rest.getpalette()[:3 * (255 - len(rgb))], dtype=np.int64).reshape(-1, 3)
    entries = np.concatenate([rgb, extra, np.zeros((256 - len(rgb) - len(extra), 3), dtype=np.int64)])
    palette = Image.new("P", (1, 1))
    palette.putpalette(entries.astype(np.uint8).ravel().tolist())
    return palette


def write_gif(frames: list[np.ndarray], path: Path, fps: float) -> Path:
    palette = _shared_palette(frames)
    indexed = [np.asarray(Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE)) for f in frames]
    images = []
    for k, now in enumerate(indexed):
        if k:
            now = np.where(now == indexed[k - 1], 255, now).astype(np.uint8)   # transparent: as before
        image = Image.fromarray(now, mode="P")
        image.putpalette(palette.getpalette())
        images.append(image)
    durations = [round(1000 / fps)] * len(images)
    durations[-1] = max(durations[-1], LAST_FRAME_MS)

    def save(target: Path) -> None:
        images[0].save(target, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0,
                       transparency=255, disposal=1, optimize=False)

    return write_atomic(path, save)


class _FramePipe(FFMpegWriter):
    """matplotlib's FFMpegWriter fed the frames already rendered: grab_frame would draw a figure for
    each (an image of the frame, resampled: 80 ms a frame), where the pixels can go down the pipe as
    they are."""

    def write_frame(self, rgba: np.ndarray) -> None:
        self._proc.stdin.write(np.ascontiguousarray(rgba).tobytes())


def write_mp4(frames: list[np.ndarray], path: Path, fps: float) -> Path:
    h, w = (frames[0].shape[0] // 2) * 2, (frames[0].shape[1] // 2) * 2     # H.264 wants even sides
    import matplotlib.pyplot as plt  # here only, where ffmpeg is: the report is drawn without pyplot

    fig = plt.figure(figsize=(w / DPI, h / DPI), dpi=DPI)                    # sets the writer's frame size
    opaque = np.full((h, w, 1), 255, dtype=np.uint8)
    hold = round(LAST_FRAME_MS / 1000 * fps)
    try:
        writer = _FramePipe(fps=fps, bitrate=1800, extra_args=["-f", "mp4"])   # the .partial name has no suffix

        def save(target: Path) -> None:
            with writer.saving(fig, str(target), dpi=DPI):
                for frame in [*frames, *[frames[-1]] * hold]:
                    writer.write_frame(np.concatenate([frame[:h, :w], opaque], axis=2))

        return write_atomic(path, save)
    finally:
        plt.close(fig)


def write_animation(run, out_dir: str | Path, every: int = 1, fps: float = 6.0, zoom="auto",
                    frames: list[np.ndarray] | None = None) -> list[Path]:
    """Write campaign.gif (and campaign.mp4 where ffmpeg is on the PATH) into `out_dir`: one frame per
    control snapshot (or every `every`-th), the date in the title and the latest events in a caption.

    zoom: "auto" (the area where ground changed hands, or the whole theatre if that is most of it),
    None (the whole theatre), or a zoom of maps.campaign.draw_map.
    frames: the frames already drawn (render_frames' output, e.g. put together from worker processes).
    """
    out_dir = Path(out_dir)
    if frames is None:
        frames = render_frames(run, every=every, zoom=zoom)
    written = [write_gif(frames, out_dir / "campaign.gif", fps)]
    if shutil.which("ffmpeg"):
        try:
            written.append(write_mp4(frames, out_dir / "campaign.mp4", fps))
        except (OSError, subprocess.CalledProcessError, WargameError) as exc:   # a broken ffmpeg: the GIF is enough
            warnings.warn(f"campaign.mp4 not written: ffmpeg failed ({exc})", stacklevel=2)
    return written
