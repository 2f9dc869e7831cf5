"""Thin Dagster assets, one module per stage: raw -> staged -> linked -> attributed -> estimated -> reported.

The logic lives in `pipeline/`; these modules wire it, add metadata and checks.
"""
