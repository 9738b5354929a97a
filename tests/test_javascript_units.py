"""The desk's pure JavaScript state logic, unit-tested with Node's own runner (`node --test tests/js/`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).resolve().parent / "js"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (node --test)")
def test_node_unit_tests_pass():
    result = subprocess.run(
        ["node", "--test", str(JS_TESTS)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout and "# pass 0" not in result.stdout
