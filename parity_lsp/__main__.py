from parity_lsp.entry import run

run()
