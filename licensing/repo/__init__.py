"""Reading a repository into a scenario: `licet scan` and `licet init`.

One module per source (policy, cards, python_env, sbom), the registry data
they share (registry), what they gather into (gather), and the scan that
puts them together (scan). Reporting lives in `licensing.report`.
"""

from .gather import FoundComponent, Origin, ScanNote
from .policy import ScanError
from .scan import ScanReport, build_scenario, scan

__all__ = ["FoundComponent", "Origin", "ScanError", "ScanNote", "ScanReport", "build_scenario", "scan"]
