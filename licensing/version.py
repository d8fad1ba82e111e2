"""licet's version, the one place it is written (pyproject.toml reads it from here),
and the version of the verdict's JSON shape."""

__version__ = "0.2.0"

# The shape of `Verdict` JSON. A field added keeps the number; a field removed,
# renamed or retyped changes it. `licensing/schemas/verdict-<N>.json` is its schema.
SCHEMA_VERSION = 1
