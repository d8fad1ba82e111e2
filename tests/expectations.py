"""The golden-case matcher lives in the library (licensing.cases), shared with
`licet test`; the tests import it from here."""

from licensing.cases import check_expectations

EXIT_CODES = {"allowed": 0, "forbidden": 1, "depends": 3, "unknown": 3}

__all__ = ["EXIT_CODES", "check_expectations"]
