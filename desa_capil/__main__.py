"""`python -m desa_capil` starts the desktop app."""

import sys

from desa_capil.app import main

sys.exit(main())
