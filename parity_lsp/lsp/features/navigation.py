"""(placeholder: being built)"""

from parity_lsp.lsp.server import ParityServer


def register(server: ParityServer) -> None:
    pass
