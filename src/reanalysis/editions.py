"""A notebook's two editions on the site: the reader's (analyst tables dropped) and the analyst's.

A notebook node in, a copy out (no pandas): the runner renders the site with these.
"""

from __future__ import annotations

import copy

__all__ = ["ANALYST_MIME", "analyst_edition", "reader_edition"]

#: The MIME type under which a table's analyst edition (ids and every column) travels in a
#: notebook's output beside the reader's ``text/html``: the site's analyst pages show it
#: (:func:`analyst_edition`); reader pages and Jupyter show the reader's table.
ANALYST_MIME = "application/vnd.reanalysis.analyst+html"


def analyst_edition(nb):
    """A copy of notebook ``nb`` (an ``nbformat`` node) for the analyst edition: each output that
    carries an analyst table (:data:`ANALYST_MIME`) shows it as its HTML."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if ANALYST_MIME in data:
                data["text/html"] = data.pop(ANALYST_MIME)
    return nb


def reader_edition(nb):
    """A copy of notebook ``nb`` for the reader edition: analyst tables dropped from the outputs."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(ANALYST_MIME, None)
    return nb
