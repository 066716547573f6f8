"""What the browser tests need, checked once: the web extra, httpx, Playwright and Debian's Chromium (no
browser download). Call `require_browser()` at the top of a test module: it skips the module, saying what
is missing, or returns Playwright's sync API."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def require_browser():
    pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
    pytest.importorskip("uvicorn", reason="the classroom server needs the web extra (uvicorn)")
    pytest.importorskip("httpx")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
    return sync_api
