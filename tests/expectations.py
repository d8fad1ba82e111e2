"""The golden-case matcher lives in the library (licensing.cases), shared with
`licet test`; the tests import it from here."""

from licensing.cases import check_expectations
from licensing.verdict import EXIT_CODES

__all__ = ["EXIT_CODES", "check_expectations"]
