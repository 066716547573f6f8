"""Every figure of a report opens at full resolution, with no script and no network: a link makes it the
page's :target, which shows the image at its own pixels; "close" puts it back."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure

from tests.browser import SIZES, horizontal_overflow, require_browser
from wargame.report.html import figure, figure_id, page


def wide_png(path, width_px: int = 2000):
    fig = Figure(figsize=(width_px / 100, 8), dpi=100)
    fig.add_subplot().plot([0, 1], [0, 1])
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def test_each_figure_links_to_its_full_size_view_with_an_id_unique_to_its_file(tmp_path):
    a, b = wide_png(tmp_path / "run1" / "maps" / "day_00.png", 300), wide_png(tmp_path / "run2" / "maps" / "day_00.png", 320)
    assert figure_id(a) != figure_id(b)                      # same name, different runs (a comparison page)
    same = wide_png(tmp_path / "copy" / "run1" / "maps" / "day_00.png", 300)
    assert figure_id(same) == figure_id(a)                   # the same image elsewhere: the same page, byte for byte
    html = figure(a, "Day 0")
    key = figure_id(a)
    assert f'<figure id="{key}">' in html and f'<a class="open" href="#{key}"' in html
    assert re.search(rf'<a class="full" href="#{key}">Full size</a>', html)
    assert f'href="#{key}-closed"' in html                   # closing targets nothing: the figure goes back


def test_a_map_opens_full_size_and_the_report_fits_a_laptop_and_a_phone(tmp_path):
    sync_api = require_browser()
    png = wide_png(tmp_path / "maps" / "day_00.png")
    report = tmp_path / "report.html"
    report.write_text(page("t", "t", "", {"maps": ("Maps", figure(png, "Day 0"))}), encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            for size in SIZES.values():
                view = browser.new_page(viewport=size)
                view.goto(report.as_uri())
                shown = view.evaluate("() => document.querySelector('figure img').clientWidth")
                assert shown < size["width"] and horizontal_overflow(view)["offenders"] == []
                view.click("figure a.open")
                full = view.evaluate("() => { const i = document.querySelector('figure img'); "
                                     "return [i.clientWidth, i.naturalWidth]; }")
                assert full == [2000, 2000]                  # the image at its own pixels
                assert view.is_visible("figure .close")
                view.click("figure .close")
                assert view.evaluate("() => document.querySelector('figure img').clientWidth") == shown
                view.close()
        finally:
            browser.close()
