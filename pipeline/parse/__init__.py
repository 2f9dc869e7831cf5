"""One parser per source: a snapshot file -> typed staged tables + rejects (docs/tables.md)."""
