"""reanalysis: recompute what a clinical-trial paper printed, from what it printed.

Layers (each imports only from those below it):

- ``tables``, ``figures``: presentation (reader tables, sentences written from results, plots)
- ``effects``: effect sizes of every printed between-group comparison, and the multiplicity family
- ``audit``: claims -> recomputations over methods and populations -> verdicts
- ``inference`` (tests, CIs, power from summaries), ``checks`` (percentages, GRIM family),
  ``data`` (load and validate ``data/<paper_id>/``)
- ``printed``: "7.49" -> value, decimals, comparator, rounding interval
- ``params`` (notebook parameters and their checks), ``run`` (the papermill runner)

Light modules the runner's own process uses without pandas or scipy: ``packages`` (where the data
packages live), ``editions`` (a page's reader and analyst editions), ``findings_file`` (a written
``findings.json`` read back for the site's index), ``vocabulary``.
"""

__version__ = "0.1.0"


def forget() -> None:
    """Forget what the package keeps between calls: every cached pure function of its modules
    (``cache_clear``) and the audits :func:`reanalysis.audit.audit` keeps. For timings that must
    start from cold (benchmarks, the tests that a former hang now finishes), not for results: a
    kept result is the result."""
    import sys

    for name, module in list(sys.modules.items()):
        if name == __name__ or name.startswith(__name__ + "."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    if __name__ + ".audit" in sys.modules:
        sys.modules[__name__ + ".audit"].forget_audits()
