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


# Property tests explore the same examples on every run (seeded from each test), so that
# `make test` is repeatable on any machine; explore at random with --hypothesis-profile=default.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("repeatable", derandomize=True, deadline=None)
_hypothesis_settings.load_profile("repeatable")
