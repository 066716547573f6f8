"""Self-contained HTML pages for the reports: one stylesheet, images embedded as data URIs, so a report
opens anywhere (a classroom with no network, an e-mail attachment) exactly as it was written."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0;
       color: #1d1d1d; background: #f4f4f1; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 1.2em 2em 3em; background: white; }
header { border-bottom: 3px solid #333; margin-bottom: 1em; }
h1 { font-size: 1.7em; margin: 0.3em 0 0.1em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
h3 { margin-bottom: 0.3em; }
.meta { color: #555; font-size: 0.95em; }
nav a { margin-right: 1.1em; font-weight: 600; color: #24527a; text-decoration: none; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.6em 0; }
th, td { padding: 0.25em 0.6em; border-bottom: 1px solid #e2e2e2; text-align: left; vertical-align: top; }
th { background: #f0f0ec; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.date { white-space: nowrap; }
td.count, td.interval { white-space: nowrap; }   /* "6 of 6", "-2.8 pp to -0.01 pp": read as one */
figure { margin: 1em 0 1.6em; } figure img { max-width: 100%; border: 1px solid #ddd; }
/* A figure opens full size with no script: its link makes it the page's :target, which fills the window
   with the image at its own pixels (scroll to pan); "close" targets nothing and puts it back. */
figure a.open { cursor: zoom-in; } figure .close { display: none; }
figure:target { position: fixed; inset: 0; z-index: 10; margin: 0; padding: 2.4em 0.8em 0.8em; overflow: auto;
                background: #111111f0; }
figure:target img { max-width: none; border: 0; } figure:target a.open { cursor: default; }
figure:target figcaption { color: #ddd; } figure:target .full { display: none; }
figure:target .close { display: block; position: fixed; top: 0.5em; right: 1.2em; color: white; font-weight: 600; }
figcaption { color: #444; font-size: 0.9em; margin-top: 0.3em; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.35em;
          vertical-align: -0.05em; border: 1px solid #0003; }
.bar { display: flex; height: 1.05em; width: 340px; border: 1px solid #bbb; }
.bar span { display: block; height: 100%; }
.collapse { border-left: 4px solid #999; padding: 0.2em 0 0.2em 0.9em; margin: 0.9em 0; }
.kind { font-size: 0.8em; padding: 0.05em 0.45em; border-radius: 3px; background: #eee; white-space: nowrap; }
.maps figure { margin-bottom: 2em; }
details summary { cursor: pointer; color: #24527a; font-weight: 600; margin: 0.6em 0; }
.twocol { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 0 2em; }
ol.factors { padding-left: 1.4em; margin: 0.3em 0; } ol.factors li.gain { color: #2d6a2d; }
.warning { color: #b2182b; }
.dim { color: #666; font-size: 0.9em; margin: 0.1em 0; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }   /* a long command wraps, not the page */
@media (max-width: 600px) {   /* a phone: wide tables scroll inside themselves, not the whole page */
  main { padding: 1em 0.8em 2em; } table { display: block; overflow-x: auto; }
  .bar { width: 100%; max-width: 340px; } .twocol { grid-template-columns: 1fr; }
}
"""


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def image(path: Path, alt: str) -> str:
    """An <img> with the file embedded as a data URI (the report must open anywhere, with no network)."""
    mime = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml"}[path.suffix.lower()]
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:{mime};base64,{data}" alt="{esc(alt)}">'


def figure_id(path: Path) -> str:
    """An id for a figure's full-size view, unique on a page that shows images of several directories: from
    the image's own bytes, not its path, so that a report drawn in another directory (or by worker processes
    in a copy of it) is the same file, byte for byte."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return f"full-{slug}-{hashlib.sha1(path.read_bytes()).hexdigest()[:6]}"


def figure(path: Path, caption: str) -> str:
    """The image and its caption; a click on it (or on "full size") opens it at its full resolution."""
    key = figure_id(path)
    # the close link after the caption: the page's text reads image, caption, as it did before figures opened
    return (f'<figure id="{key}"><a class="open" href="#{key}" title="open full size">{image(path, caption)}</a>'
            f'<figcaption>{esc(caption)} <a class="full" href="#{key}">Full size</a></figcaption>'
            f'<a class="close" href="#{key}-closed">close &times;</a></figure>')


def page(title: str, heading: str, meta_html: str, sections: dict[str, tuple[str, str]]) -> str:
    """A whole page: a header with navigation, then one <section id=key> per entry (key: (title, html))."""
    nav = "".join(f'<a href="#{key}">{esc(name)}</a>' for key, (name, _) in sections.items())
    body = "".join(f'<section id="{key}"><h2>{esc(name)}</h2>{content}</section>'
                   for key, (name, content) in sections.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{CSS}</style></head>
<body><main>
<header><h1>{esc(heading)}</h1>
<p class="meta">{meta_html}</p>
<nav>{nav}</nav></header>
{body}
</main></body></html>
"""
