"""Importing this module makes jsonschema skip its IRI format checker in this process.

jsonschema (imported by nbformat, so by papermill, nbconvert and nbval) imports ``rfc3987_syntax``
when it is installed (jupyterlab's dependencies pull it in), and that module compiles some 35
Earley grammars at import: about 2 s of CPU in every process that reads a notebook
(python-jsonschema/jsonschema#1428). It checks the ``iri`` and ``iri-reference`` formats, which no
notebook schema and no schema of this project uses, and format checking is off in
``jsonschema.validate`` unless a checker is passed. Marking the module absent, before jsonschema is
imported, skips that one checker. The runner imports this first; ``make test`` loads it as a pytest
plugin (``-p reanalysis._skip_iri_grammar`` in pyproject.toml) so that it comes before nbval's.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
