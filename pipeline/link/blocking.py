"""Capped blocking: candidate pairs that grow linearly with the number of records.

A blocking rule joins records that agree on a few columns (given and father name and week of
death, say). In one city over nine months those columns have small domains (tens of common
given names, forty weeks), so as the lists grow every block grows with them, and the pairs a
rule generates grow with the square of the records: 52,000 candidate pairs at Mosul's size,
2.4 million at ten times, about 240 million at a hundred times.

Each rule is therefore capped: a block of more than BLOCK_CAP records is left out of that rule,
so no rule yields more than BLOCK_CAP / 2 pairs per record and the pairs of all rules together
grow at most linearly (rules x records x BLOCK_CAP / 2). A block that big is a common name
combination; its records still meet through the rules that add a column (given, father and
grandfather name and week, ...), whose blocks are smaller. At Mosul's size no block reaches
the cap, so the candidate pairs there are exactly the uncapped ones.

The cap needs each record's block size per rule, which `add_block_sizes` computes with one
window count per rule (linear); the rule then carries `l.block_<i> <= BLOCK_CAP` (both sides of
a pair share the block, so one side is enough).

Pairs that the clustering guards would refuse whatever their score (two sexes; ages more than
AGE_SPREAD years apart, clusters.py) are not candidates either: among namesakes in one block
they are most pairs (measured: 58% of the candidate pairs at 1x and 10x), and scoring them only
to refuse them was most of the prediction time.
"""

from __future__ import annotations

import re

import polars as pl

from pipeline.link.clusters import AGE_SPREAD

# Largest block a rule may form. The largest block of any rule in the default scenario has 33
# records (seeds 1 and 7 measured), so the cap changes nothing there.
BLOCK_CAP = 40
EQUALITY = re.compile(r"l\.(\w+) = r\.(\w+)")


def rule_keys(rule: str) -> list[str]:
    """The columns a rule joins on (`l.x = r.x`), in order; its other conditions are not keys."""
    return [left for left, right in EQUALITY.findall(rule) if left == right]


def block_column(index: int) -> str:
    return f"block_{index}"


def guards_allow() -> str:
    """SQL: the pair could end in one victim (the sex and age guards of clusters.py)."""
    return f"(l.sex is null or r.sex is null or l.sex = r.sex) and (l.age is null or r.age is null or abs(l.age - r.age) <= {AGE_SPREAD})"


def bounded_rules(rules: list[str], cap: int = BLOCK_CAP) -> list[str]:
    """Each rule with `and l.block_<i> <= cap` (block_<i> from add_block_sizes) and the guards'
    condition appended."""
    return [f"{rule} and l.{block_column(i)} <= {cap} and {guards_allow()}" for i, rule in enumerate(rules)]


def add_block_sizes(frame: pl.DataFrame, rules: list[str]) -> pl.DataFrame:
    """frame with block_<i>: how many records share this record's keys of rule i (null where a
    key is null: such a record is in no block of that rule)."""
    sizes = []
    for i, rule in enumerate(rules):
        keys = rule_keys(rule)
        complete = pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
        sizes.append(pl.when(complete).then(pl.len().over(keys)).otherwise(None).cast(pl.UInt32).alias(block_column(i)))
    return frame.with_columns(sizes)
