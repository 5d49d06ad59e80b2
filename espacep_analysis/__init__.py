"""espacep_analysis: indicators and reports for Espace P…'s funders (INAMI, AViQ, Cocof)."""

__version__ = "0.1.0"

# Issue 15: jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed, which
# builds a Lark grammar: about 1.1 s of CPU in every process that reads or executes a notebook
# (the batch and each worker), for an "iri" format check no nbformat schema uses. Keep it
# out of this package's processes; nothing else changes (a module already imported stays).
import sys as _sys

_sys.modules.setdefault("rfc3987_syntax", None)
