"""pytest configuration shared by the unit tests and nbval over notebooks/."""

import os

os.environ.setdefault("PYTHONHASHSEED", "0")


def pytest_collectstart(collector):
    """nbval compares text/plain, not pandas' HTML (which changes across pandas versions)."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("text/html", "application/javascript", "image/svg+xml")
