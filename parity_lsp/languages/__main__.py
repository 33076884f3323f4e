import sys

from parity_lsp.languages import _main

sys.exit(_main(sys.argv[1:]))
