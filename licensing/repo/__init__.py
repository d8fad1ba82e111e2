"""Reading a repository into a scenario: `licet scan` and `licet init`.

One module per source (policy, cards, python_env, sbom), the registry data
they share (registry), what they gather into (gather), the one reader of
repository files (files: regular files inside the scanned folder only, up to
a size), and the scan that puts them together (scan). Places in files are `licensing.location.Location`s.
Reporting lives in `licensing.render.scan`.

Importing this package loads neither huggingface_hub nor the SBOM libraries:
each is imported by the function that reads its format.
"""

from ..location import Location
from .files import ScanError
from .gather import FoundComponent, ScanNote
from .scan import ScanReport, build_scenario, scan

__all__ = ["FoundComponent", "Location", "ScanError", "ScanNote", "ScanReport", "build_scenario", "scan"]
