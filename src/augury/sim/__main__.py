"""``python -m augury.sim``: see ``augury.sim.cli``."""

import sys

from augury.sim.cli import main

sys.exit(main())
