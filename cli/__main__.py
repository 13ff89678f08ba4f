"""`python -m cli ARGS` is `orgsim ARGS`."""

import sys

from cli.main import main

sys.exit(main())
