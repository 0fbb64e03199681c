"""`python -m normalize`: see normalize.cli."""

import sys

from normalize.cli import main

sys.exit(main())
