"""reanalysis: recompute what a clinical-trial paper printed, from what it printed.

Layers (each imports only from those below it):

- ``printed``: "7.49" -> value, decimals, comparator, rounding interval
- ``data``: load and validate a paper's data package (``data/<paper_id>/``)
- ``params``: notebook parameters and their checks; ``run``: the papermill runner
"""

__version__ = "0.1.0"
