"""The walkthrough notebook runs from top to bottom and shows the expected figures.

It is executed with nbclient on the python3 kernel of the interpreter running the tests
(the project's venv under `make test`), from the notebooks folder, as a reader opens it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "walkthrough.ipynb"

# Appended to the executed copy (never to the file): figures read from the kernel's state.
PROBE = """\
import json
print("PROBE " + json.dumps({
    "accounts": len(result.inputs.accounts),
    "handoffs": len(report.handoffs),
    "weights": tradeoff["Balance weight"].tolist(),
    "optional": tradeoff["Optional moves"].tolist(),
    "spread": tradeoff["Worst team spread (pts)"].tolist(),
    "load_rows": len(report.load),
}))
"""


def _text(cell) -> str:
    """Everything a code cell printed or displayed as text."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "".join(parts)


def _tagged(nb, tag: str):
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag!r}, found {len(cells)}"
    return cells[0]


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], "strip outputs: python notebooks/build_notebook.py"
            assert cell.execution_count is None


def test_notebook_matches_its_source():
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import build_notebook
    finally:
        sys.path.remove(str(NOTEBOOKS))
    built = build_notebook.build()
    committed = nbformat.read(NOTEBOOK, as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in built.cells], (
        "notebooks/walkthrough.ipynb differs from notebooks/build_notebook.py: "
        "edit the cells there and run python notebooks/build_notebook.py"
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    # A python3 kernel spec for this very interpreter, found before any spec registered in
    # the user's or the system's Jupyter folders (JUPYTER_PATH comes first).
    spec_dir = tmp_path_factory.mktemp("jupyter") / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python",
    }))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(spec_dir.parents[1]))
        client = NotebookClient(
            nb, timeout=600, kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        client.execute()  # raises CellExecutionError, with the traceback, if a cell fails
    return nb


def test_notebook_runs_and_shows_expected_figures(executed):
    nb = executed
    for cell in nb.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.get("output_type") == "error"]
            assert not errors, errors

    # 1. the first-principles table (span 7, levels 3-6) and the rounded segments
    table = _text(_tagged(nb, "segment-table"))
    for value in ("9", "57", "58", "400", "401", "2801", "2802"):
        assert value in table.split(), f"{value} missing from the segment table:\n{table}"
    rounded = _text(_tagged(nb, "rounded-table"))
    for name in ("Mercury", "Mars", "Venus", "Jupiter", "3000"):
        assert name in rounded

    # 2. segments before and after
    segments = _text(_tagged(nb, "segments-before-after"))
    assert "1,500 accounts" in segments
    assert "Accounts before" in segments and "Accounts after" in segments

    # 3. key figures of the full plan
    figures = _text(_tagged(nb, "plan"))
    assert "planned in" in figures
    assert "Accounts keeping every owner" in figures and "Optional moves" in figures

    # charts: segments, load, weekly handoffs, Gantt, trade-off
    images = sum(
        1 for c in nb.cells if c.cell_type == "code"
        for o in c.outputs if "image/png" in o.get("data", {})
    )
    assert images >= 5, f"expected at least 5 charts, got {images}"

    probe = next(line for line in _text(nb.cells[-1]).splitlines() if line.startswith("PROBE "))
    state = json.loads(probe[len("PROBE "):])
    assert state["accounts"] == 1500
    assert state["load_rows"] > 0
    assert state["handoffs"] > 0, "no handoff scheduled: the Gantt and weekly charts are empty"
    # 6. the trade-off: more balance weight never leaves the worst team less balanced
    # than no balance weight at all, and costs at least as many optional moves
    assert state["weights"][0] == 0
    assert state["spread"][-1] <= state["spread"][0]
    assert state["optional"][-1] >= state["optional"][0]
