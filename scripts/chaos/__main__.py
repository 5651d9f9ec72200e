"""``python -m chaos`` (with ``scripts/`` on ``PYTHONPATH``): what ``make chaos`` runs."""

import sys

from chaos.run import main

sys.exit(main())
