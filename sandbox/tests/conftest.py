import sys
from pathlib import Path

SANDBOX = Path(__file__).resolve().parents[1]
if str(SANDBOX) not in sys.path:
    sys.path.insert(0, str(SANDBOX))
