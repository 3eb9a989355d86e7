"""pytest set-up for the tests of scripts/: the govsim_analysis package importable, and no __pycache__
written into scripts/ when a test imports it."""

import os
import sys

sys.dont_write_bytecode = True
SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts")
if SCRIPTS not in sys.path:
    sys.path.insert(0, SCRIPTS)
