"""``python -m service``: the same as the ``lapor-nlp-service`` command."""

import sys

from service.app.cli import main

sys.exit(main())
