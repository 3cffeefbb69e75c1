import sys

from lapor_nlp.cli import main

sys.exit(main())
