"""espacep_analysis: indicators and reports for Espace P…'s funders (INAMI, AViQ, Cocof)."""

__version__ = "0.1.0"
