"""What the browser tests need, checked once: the web extra, httpx, Playwright and Debian's Chromium (no
browser download). Call `require_browser()` at the top of a test module: it skips the module, saying what
is missing, or returns Playwright's sync API."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# the two screens the classroom must fit (issue 16): a laptop's and a phone's
SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def require_browser():
    pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
    pytest.importorskip("uvicorn", reason="the classroom server needs the web extra (uvicorn)")
    pytest.importorskip("httpx")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
    return sync_api


# the page's elements that reach past the window's right edge, ignoring those inside a box that scrolls
# (or clips) sideways itself and fits: such a box is where a wide table is meant to scroll
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const x = getComputedStyle(box).overflowX;
      if (x !== "visible") return box.getBoundingClientRect().right <= width + 1;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && !clipped(el)) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string"
        ? "." + el.className.trim().split(/\\s+/).join(".") : ""} right=${Math.round(r.right)}`);
    }
  }
  return {width, scroll_width: document.documentElement.scrollWidth, offenders: out.slice(0, 8)};
}"""


def horizontal_overflow(page) -> dict:
    """{"width": the window's, "scroll_width": the page's, "offenders": up to 8 elements past the right edge}:
    a page fits when scroll_width <= width."""
    return page.evaluate(OVERFLOW_JS)
