-- parity-lsp for Neovim 0.11+ (`vim.lsp.config` / `vim.lsp.enable`).
--
-- Put the plugin directory (editors/nvim) on 'runtimepath', then:
--
--   vim.lsp.enable('parity_lsp')
--
-- With it, `gd` jumps to definitions in the matrices' buffers and saving any file under the root
-- tells the server (lua/parity_lsp/init.lua, `hooks`); this file alone, copied to
-- ~/.config/nvim/lsp/, starts the server without them.
--
-- Override anything with vim.lsp.config('parity_lsp', { ... }), e.g.
--   cmd = { '/path/to/.venv/bin/parity-lsp', 'serve', '--stdio' }
--   settings = { parityLsp = { ignore = { 'PM103' }, severity = { PM304 = 'error' } } }
--
-- The root is the nearest ancestor of the file that has `.parity-lsp.toml`, `pyproject.toml`
-- or `.git` (as `parity-lsp check` decides); a file under none of them is not attached.

local markers = { '.parity-lsp.toml', 'pyproject.toml', '.git' }

-- `gd` on attach and saved files sent to the server (no `on_attach` here: yours, or the one of
-- vim.lsp.config('*', ...), would replace it or be replaced)
local ok, plugin = pcall(require, 'parity_lsp')
if ok then
  plugin.hooks('parity_lsp')
end

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
