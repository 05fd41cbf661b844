"""The runner's own process stays light: the kernels import the analysis stack, the runner does not
(it would compete with them for the cores while they start; see README, Performance)."""

from __future__ import annotations

import subprocess
import sys


def test_the_runner_and_the_site_import_no_analysis_stack():
    code = (
        "import sys, reanalysis.run, reanalysis.site, reanalysis.packages\n"
        "from reanalysis.site import render, write_index, write_workshop, manifest\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'scipy', 'matplotlib', 'numpy'})\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"the runner's process imports {out.strip()}"
