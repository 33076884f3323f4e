"""Editor features, one module each; `FEATURES` is the explicit list the server registers."""

from parity_lsp.lsp.features import (
    code_actions,
    completion,
    diagnostics,
    formatting,
    hover,
    lifecycle,
    navigation,
    outline,
    references,
    rename_files,
    report,
    sync,
)

FEATURES = (
    lifecycle.register,
    sync.register,
    diagnostics.register,
    navigation.register,
    hover.register,
    completion.register,
    code_actions.register,
    outline.register,
    formatting.register,
    references.register,
    rename_files.register,
    report.register,
)
