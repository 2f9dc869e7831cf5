"""`python -m pipeline.scenario --seed 7 --out DIR [--scale 1] [--difficulty default|hard]`"""

import argparse
import json
import time
from pathlib import Path

from pipeline.scenario import simulate

parser = argparse.ArgumentParser(description="Write a simulated Mosul scenario: sources/ in the sources' formats and truth/ beside them.")
parser.add_argument("--seed", type=int, default=7)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--scale", type=float, default=1.0)
parser.add_argument("--difficulty", choices=["default", "hard"], default="default")
args = parser.parse_args()
started = time.perf_counter()
summary = simulate(args.seed, args.out, args.scale, args.difficulty)
summary["seconds"] = round(time.perf_counter() - started, 1)
print(json.dumps(summary, indent=1, ensure_ascii=False))
