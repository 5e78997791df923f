from __future__ import annotations

import sys

from emulator.server import main

sys.exit(main())
