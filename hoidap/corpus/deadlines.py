"""Deadlines as written -> date ranges and years: kept under this name for the modules that import it;
the code lives in `hoidap.corpus.dates`, the one home of date forms and formatters."""

from hoidap.corpus.dates import deadline_range, deadline_years

__all__ = ["deadline_range", "deadline_years"]
