"""pytest configuration shared by the unit tests and nbval over notebooks/."""

import os

os.environ.setdefault("PYTHONHASHSEED", "0")


def pytest_collectstart(collector):
    """nbval compares text/plain, not pandas' HTML (which changes across pandas versions)."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("text/html", "application/javascript", "image/svg+xml")


def pytest_configure(config):
    """Resolve nbval's sanitize file from the rootdir: papermill tests change the cwd while they run."""
    path = getattr(config.option, "nbval_sanitize_with", None)
    if path and not os.path.isabs(path):
        config.option.nbval_sanitize_with = str(config.rootpath / path)
