"""parity-lsp: a language server and CI linter for parity matrices."""

__version__ = "0.1.0"
