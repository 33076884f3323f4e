"""Editor features, one module each; `FEATURES` is the explicit list the server registers."""

from parity_lsp.lsp.features import diagnostics, lifecycle, sync

FEATURES = (
    lifecycle.register,
    sync.register,
    diagnostics.register,
)
