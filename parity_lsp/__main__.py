from parity_lsp.cli import run

run()
