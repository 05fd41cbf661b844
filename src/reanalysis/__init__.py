"""reanalysis: recompute what a clinical-trial paper printed, from what it printed.

Layers (each imports only from those below it):

- ``tables``, ``figures``: presentation (reader tables, sentences written from results, plots)
- ``effects``: effect sizes of every printed between-group comparison, and the multiplicity family
- ``audit``: claims -> recomputations over methods and populations -> verdicts
- ``inference`` (tests, CIs, power from summaries), ``checks`` (percentages, GRIM family),
  ``data`` (load and validate ``data/<paper_id>/``)
- ``printed``: "7.49" -> value, decimals, comparator, rounding interval
- ``params`` (notebook parameters and their checks), ``run`` (the papermill runner)
"""

__version__ = "0.1.0"
