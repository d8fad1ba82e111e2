"""Stage 3: the scenario — the one input format — read, checked against the
library, and walked.

- `model`: the pydantic input models (`Scenario`, `Component`, `Use`, `Waiver`);
- `load`: YAML/JSON with positions (`load_yaml`, `SourceMap`, `read_scenario_*`);
- `graph`: the relation graph walk that gives each component its roles;
- `resolve`: the scenario checked against the library (`ResolvedScenario`).
"""

from .graph import Reach
from .load import SourceMap, YamlDocument, load_yaml, read_scenario_file, read_scenario_text, scenario_from_dict, validation_problem
from .model import COMMERCIAL_FLAG, AssumptionValue, Component, Scenario, Use, Waiver, scenario_to_dict, scenario_to_yaml
from .resolve import Facts, ResolvedComponent, ResolvedScenario, ResolvedWaiver, Term, resolve

__all__ = [
    "COMMERCIAL_FLAG",
    "AssumptionValue",
    "Component",
    "Facts",
    "Reach",
    "ResolvedComponent",
    "ResolvedScenario",
    "ResolvedWaiver",
    "Scenario",
    "SourceMap",
    "Term",
    "Use",
    "Waiver",
    "YamlDocument",
    "load_yaml",
    "read_scenario_file",
    "read_scenario_text",
    "resolve",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_to_yaml",
    "validation_problem",
]
