"""mosul-casualties: from raw source snapshots to linked, attributed and estimated tables.

`dagster asset materialize -m pipeline` looks for a `Definitions` among this module's
attributes. The Definitions are built lazily (PEP 562) so that `import pipeline.text.arabic`
and the simulator do not pay for importing Dagster and every asset.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name == "defs":
        from pipeline.definitions import defs

        return defs
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals().keys(), "defs"])
