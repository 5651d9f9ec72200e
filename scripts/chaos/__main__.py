"""``python -m scripts.chaos`` (from the repository root): what ``make chaos`` runs."""

import sys

from scripts.chaos.run import main

sys.exit(main())
