"""``python -m actviz_widgets``: see :mod:`actviz_widgets.cli`."""

import sys

from .cli import main

sys.exit(main())
