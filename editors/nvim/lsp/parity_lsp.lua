-- parity-lsp for Neovim 0.11+ (`vim.lsp.config` / `vim.lsp.enable`).
--
-- Put this directory (editors/nvim) on 'runtimepath', or copy this file to
-- ~/.config/nvim/lsp/parity_lsp.lua, then:
--
--   vim.lsp.enable('parity_lsp')
--
-- Override anything with vim.lsp.config('parity_lsp', { ... }), e.g.
--   cmd = { '/path/to/.venv/bin/parity-lsp', 'serve', '--stdio' }
--   settings = { parityLsp = { ignore = { 'PM103' }, severity = { PM304 = 'error' } } }
--
-- The root is the nearest ancestor of the file that has `.parity-lsp.toml`, `pyproject.toml`
-- or `.git` (as `parity-lsp check` decides); a file under none of them is not attached.

local markers = { '.parity-lsp.toml', 'pyproject.toml', '.git' }

---@type vim.lsp.Config
return {
  cmd = { 'parity-lsp', 'serve', '--stdio' },
  filetypes = { 'markdown', 'csv', 'tsv' },
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    if name == '' then
      return
    end
    local found = vim.fs.find(markers, { upward = true, path = vim.fs.dirname(vim.fs.normalize(name)) })[1]
    if found then
      on_dir(vim.fs.dirname(found))
    end
  end,
  -- engine settings (SPEC section 7, camelCase), answered on workspace/configuration
  settings = { parityLsp = vim.empty_dict() },
  init_options = vim.empty_dict(),
}
