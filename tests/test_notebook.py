"""The analyst's notebook (docs/examples/analysis.ipynb) runs from top to bottom and draws what it says it draws.

It is executed with nbclient on an ipykernel kernel, from the repository's root, as a reader would run it. Two
cells are added in memory around it (the file is left as committed): the first checks that the kernel is this
interpreter importing this checkout's wargame (else the test would pass or fail on another installation), the last
that the notebook removed its temporary directory. About 40 s on two cores: a run, six runs and sixteen runs of
hts_2024.
"""

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("ema_workbench")        # the notebook's scenario discovery needs the analysis extra

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "examples" / "analysis.ipynb"
CELL_TIMEOUT = 600          # seconds a cell may take on a loaded machine (each takes seconds here)
FIGURES = 6                 # two run charts, the ensemble's fan and one city's falls, the sweep's fans and scores


def _same_interpreter_cell() -> str:
    import sys

    import wargame

    return (
        "import os, sys, wargame\n"
        f"assert os.path.realpath(sys.executable) == {os.path.realpath(sys.executable)!r}, sys.executable\n"
        f"assert os.path.realpath(wargame.__file__) == {os.path.realpath(wargame.__file__)!r}, wargame.__file__\n"
    )


def _outputs(nb, kind: str):
    for cell in nb.cells:
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if kind == "image" and "image/png" in output.get("data", {}):
                    yield output
                elif kind == "text":
                    yield output.get("text", "") + output.get("data", {}).get("text/plain", "")


@pytest.fixture(scope="module")
def executed():
    committed = nbformat.read(NOTEBOOK, as_version=4)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_same_interpreter_cell()))
    nb.cells.append(nbformat.v4.new_code_cell("assert not out.exists(), out"))
    before = sorted(os.listdir(ROOT))
    # raises CellExecutionError, with the failing cell and its traceback, if any cell fails
    nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    return committed, nb, before, sorted(os.listdir(ROOT))


def test_the_notebook_is_committed_without_outputs(executed):
    committed, *_ = executed
    code = [cell for cell in committed.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)
    nbformat.validate(committed)


def test_the_notebook_draws_its_figures_and_says_its_findings(executed):
    _, nb, _, _ = executed
    assert len(list(_outputs(nb, "image"))) == FIGURES
    text = "\n".join(_outputs(nb, "text"))
    assert re.search(r"took Aleppo and Aleppo International Airport on day \d+\.\d\d", text)      # the run
    assert re.search(r"took Aleppo and Aleppo International Airport: \d+ of 6 runs", text)       # the ensemble
    assert "sweep: 8 points x 2 replicates = 16 runs of hts_2024" in text
    # the outcome discovered is a median split: it holds in some runs and not others, as discover requires
    assert re.search(r"'regime_territory > [\d.]+' holds in \d+ of 16 runs", text)


def test_the_notebook_writes_nothing_into_the_repository(executed):
    _, _, before, after = executed
    assert after == before
