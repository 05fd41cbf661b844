"""Mark ``rfc3987_syntax`` absent, before anything imports jsonschema (under nbformat).

jsonschema imports rfc3987_syntax when it is installed (jupyterlab pulls it in), which compiles a
grammar for about 2 s of CPU at every start, to check IRI formats that notebook validation never
uses; marked absent, jsonschema skips that one format checker. Imported by :mod:`reanalysis.run`
and, as a pytest plugin (``-p reanalysis._no_iri_grammar`` in pyproject.toml's addopts), by every
pytest process before nbval's plugin imports nbformat.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
