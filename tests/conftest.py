import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

DATA = Path(__file__).parent / "data"


@pytest.fixture
def duel_file() -> Path:
    return DATA / "duel.toml"


@pytest.fixture
def write_toml(tmp_path):
    """Write a scenario file in tmp_path and return its path."""
    def write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write
