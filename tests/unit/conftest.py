"""Make the in-repo collection importable as ansible_collections.scaleout.webtier (through the
collections/ link), without installing it."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "collections",):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
