import sys

from parity_lsp.cli import main

sys.exit(main())
