"""The whole campaign as an animation: campaign.gif (and campaign.mp4 where ffmpeg is installed).

The base map (terrain, sea, legend, fixed title) is rendered once and kept as a bitmap; each frame
restores it and draws only what changes (the control shading, front line, counters, the date and the
latest-event caption) plus the thin layers that must stay on top of the shading (roads, rivers, border,
place names). That is what keeps ~85 frames to a few seconds.

The GIF is quantised to one palette shared by all frames (no dithering), and each frame after the first
stores only the pixels that changed (the rest transparent, showing the frame before): a map that changes
in a few places per frame then costs little per frame.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FFMpegWriter
from matplotlib.legend import Legend
from PIL import Image

from wargame.core.errors import WargameError
from wargame.output.files import write_atomic
from wargame.report.campaign_map import (
    Z_CONTROL,
    Z_COUNTER,
    _legend_column,
    fighting_area,
    legend_sections,
    prepare_axes,
    view_of,
)
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


def render_frames(run, every: int = 1, zoom="auto") -> list[np.ndarray]:
    """RGB frames (h x w x 3 uint8) of the campaign, one per chosen step."""
    view = view_of(run)
    if isinstance(zoom, str) and zoom == "auto":
        zoom = fighting_area(run)
    fig = plt.figure(figsize=FIGSIZE, dpi=DPI)
    try:
        ax = fig.add_axes([0.005, 0.085, 0.64, 0.82])
        fig, ax, layers, limits = prepare_axes(view, ax=ax, zoom=zoom, dpi=DPI, animated=True, label_fontsize=5.5)
        _legend_column(ax, legend_sections(view, None, view.factions_in(limits)), fontsize=7.0, x=1.02)
        fig.text(0.01, 0.975, view.run.scenario.meta.title, fontsize=11, weight="bold", va="top")
        fig.text(0.01, 0.012, "Simulated campaign (wargame model run), not a record of events; "
                 f"scenario {view.run.info.get('scenario', '?')}, seed {view.run.info.get('seed')}."
                 + ("  Area of the fighting shown." if zoom is not None else ""),
                 fontsize=6.5, color="#555555")
        date = fig.text(0.01, 0.94, "", fontsize=10.5, va="top", animated=True)
        caption = fig.text(0.01, 0.072, "", fontsize=8, va="top", animated=True,
                           bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="#999999", alpha=0.9))
        shares = fig.text(0.66, 0.10, "", fontsize=7.5, va="bottom", animated=True)
        names = {sid: short_name(side.name) for sid, side in view.run.scenario.sides.items()}
        # Layers that must stay above the shading (roads, rivers, border, place markers and names) are
        # rendered once onto a transparent bitmap, in two: those under the counters and those over them;
        # drawing the ~50 labels and ~80 markers themselves each frame would cost 100 ms a frame.
        dynamic = set(layers.artists)
        above = [a for a in [*ax.collections, *ax.lines, *ax.patches, *ax.texts, *ax.artists]
                 if a not in dynamic and not isinstance(a, Legend) and a.get_zorder() > Z_CONTROL]
        for artist in above:
            artist.set_animated(True)
        canvas = fig.canvas
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
        under = _Overlay(fig, ax, [a for a in above if a.get_zorder() < Z_COUNTER])
        over = _Overlay(fig, ax, [a for a in above if a.get_zorder() >= Z_COUNTER])
        frames = []
        for step in frame_steps(run, every):
            canvas.restore_region(background)
            layers.update(step)
            ax.draw_artist(layers.control)
            under.draw(canvas)
            for artist in [*layers.artists[1:], *layers.stack_labels]:
                ax.draw_artist(artist)
            over.draw(canvas)
            text = view.date_line(step)
            date.set_text(text[0].upper() + text[1:])
            caption.set_text(event_caption(view, step))
            share = view.territory_share(view.control_at(step))
            shares.set_text("Territory held\n" + "\n".join(
                f"{100 * share[s]:3.0f}%  {names[s]}" for s in view.side_ids))
            for artist in (date, caption, shares):
                fig.draw_artist(artist)
            frames.append(np.asarray(canvas.buffer_rgba())[..., :3].copy())
        return frames
    finally:
        plt.close(fig)


class _Overlay:
    """Artists rendered once onto a transparent bitmap the figure's size, then laid over the canvas
    each frame in numpy (only where the bitmap is not transparent: a few percent of the pixels).
    matplotlib's own FigureImage would resample the whole bitmap, 40 ms a frame."""

    def __init__(self, fig, ax, artists):
        canvas = fig.canvas
        canvas.get_renderer().clear()                 # transparent, not the figure's white
        for artist in sorted(artists, key=lambda a: a.get_zorder()):
            ax.draw_artist(artist)
        pixels = np.asarray(canvas.buffer_rgba()).reshape(-1, 4)
        self.where = np.flatnonzero(pixels[:, 3])
        self.alpha = pixels[self.where, 3:4].astype(np.float32) / 255.0
        self.colour = pixels[self.where, :3].astype(np.float32) * self.alpha      # Agg's buffer is not premultiplied

    def draw(self, canvas) -> None:
        pixels = np.asarray(canvas.buffer_rgba()).reshape(-1, 4)                  # the canvas's own memory
        under = pixels[self.where, :3].astype(np.float32)
        pixels[self.where, :3] = (under * (1.0 - self.alpha) + self.colour + 0.5).astype(np.uint8)


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
    durations = [int(round(1000 / fps))] * len(images)
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
    fig = plt.figure(figsize=(w / DPI, h / DPI), dpi=DPI)                    # sets the writer's frame size
    opaque = np.full((h, w, 1), 255, dtype=np.uint8)
    hold = int(round(LAST_FRAME_MS / 1000 * fps))
    try:
        writer = _FramePipe(fps=fps, bitrate=1800, extra_args=["-f", "mp4"])   # the .partial name has no suffix

        def save(target: Path) -> None:
            with writer.saving(fig, str(target), dpi=DPI):
                for frame in [*frames, *[frames[-1]] * hold]:
                    writer.write_frame(np.concatenate([frame[:h, :w], opaque], axis=2))

        return write_atomic(path, save)
    finally:
        plt.close(fig)


def write_animation(run, out_dir: str | Path, every: int = 1, fps: float = 6.0, zoom="auto") -> list[Path]:
    """Write campaign.gif (and campaign.mp4 where ffmpeg is on the PATH) into `out_dir`: one frame per
    control snapshot (or every `every`-th), the date in the title and the latest events in a caption.

    zoom: "auto" (the area where ground changed hands, or the whole theatre if that is most of it),
    None (the whole theatre), or a zoom of campaign_map.draw_map.
    """
    out_dir = Path(out_dir)
    frames = render_frames(run, every=every, zoom=zoom)
    written = [write_gif(frames, out_dir / "campaign.gif", fps)]
    if shutil.which("ffmpeg"):
        try:
            written.append(write_mp4(frames, out_dir / "campaign.mp4", fps))
        except (OSError, subprocess.CalledProcessError, WargameError) as exc:   # a broken ffmpeg: the GIF is enough
            warnings.warn(f"campaign.mp4 not written: ffmpeg failed ({exc})", stacklevel=2)
    return written
