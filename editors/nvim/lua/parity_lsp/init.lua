-- parity-lsp for Neovim 0.7 – 0.10 (and later, without vim.lsp.config):
--
--   require('parity_lsp').setup({
--     cmd = { 'parity-lsp', 'serve', '--stdio' },    -- default
--     settings = { parityLsp = { ignore = { 'PM103' } } },
--     on_attach = function(client, bufnr) end,
--   })
--
-- Starts (or reuses) one client per root for every markdown/csv/tsv buffer: `vim.lsp.start` on
-- Neovim 0.8+, `vim.lsp.start_client` + `vim.lsp.buf_attach_client` on 0.7. The root is the
-- nearest ancestor with `.parity-lsp.toml`, `pyproject.toml` or `.git`; a buffer under none of
-- them is left alone. On Neovim 0.11+ prefer `vim.lsp.enable('parity_lsp')` (lsp/parity_lsp.lua).

local M = {}

local uv = vim.uv or vim.loop

M.defaults = {
  name = 'parity_lsp',
  cmd = { 'parity-lsp', 'serve', '--stdio' },
  filetypes = { 'markdown', 'csv', 'tsv' },
  root_markers = { '.parity-lsp.toml', 'pyproject.toml', '.git' },
  settings = { parityLsp = vim.empty_dict() },
  init_options = vim.empty_dict(),
  on_init = nil,
  on_attach = nil,
  capabilities = nil,
}

M.config = nil
local clients_by_root = {} -- 0.7 only: root -> client id

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function parent(dir)
  local p = vim.fn.fnamemodify(dir, ':h')
  if p == dir then
    return nil
  end
  return p
end

--- The nearest ancestor of `path` (a file or directory) that holds one of `markers`, or nil.
function M.find_root(path, markers)
  markers = markers or (M.config or M.defaults).root_markers
  if path == nil or path == '' then
    return nil
  end
  local dir = vim.fn.fnamemodify(path, ':p')
  if vim.fn.isdirectory(dir) == 0 then
    dir = vim.fn.fnamemodify(dir, ':h')
  end
  dir = dir:gsub('/+$', '')
  if dir == '' then
    dir = '/'
  end
  while dir do
    for _, marker in ipairs(markers) do
      if exists(dir .. '/' .. marker) then
        return dir
      end
    end
    dir = parent(dir)
  end
  return nil
end

-- Neovim before 0.8 answers no workspace/configuration requests (the server then keeps the
-- settings it got in initializationOptions and in workspace/didChangeConfiguration)
local function client_pulls_configuration()
  local caps = vim.lsp.protocol.make_client_capabilities()
  return caps.workspace ~= nil and caps.workspace.configuration == true
end

local function client_config(root)
  local c = M.config
  local settings = c.settings or vim.empty_dict()
  local init_options = c.init_options
  if init_options == nil or vim.tbl_isempty(init_options) then
    init_options = settings -- `{ parityLsp = {...} }`: the server takes the section from it
  end
  return {
    name = c.name,
    cmd = c.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = settings,
    init_options = init_options,
    on_init = function(client, result)
      if not client_pulls_configuration() and next(settings) ~= nil then
        client.notify('workspace/didChangeConfiguration', { settings = settings })
      end
      if c.on_init then
        return c.on_init(client, result)
      end
    end,
    on_attach = c.on_attach,
    capabilities = c.capabilities,
  }
end

local function alive(id)
  local client = id and vim.lsp.get_client_by_id(id)
  return client ~= nil and not client.is_stopped()
end

--- Attach parity-lsp to `bufnr` (default: the current buffer). Returns the client id or nil.
function M.attach(bufnr)
  if M.config == nil then
    M.config = M.defaults
  end
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local root = M.find_root(vim.api.nvim_buf_get_name(bufnr))
  if root == nil then
    return nil
  end
  if vim.lsp.start then -- 0.8+: reuses the client with the same name and root
    return vim.lsp.start(client_config(root), { bufnr = bufnr })
  end
  local id = clients_by_root[root]
  if not alive(id) then
    id = vim.lsp.start_client(client_config(root))
    if id == nil then
      return nil
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

local FIX_ALL = 'source.fixAll.parityLsp'

--- Applies the server's safe fixes to a buffer (default: the current one): the edit of the code
--- action of kind source.fixAll.parityLsp, without a prompt (Neovim 0.7's code_action has no
--- `apply`).
function M.fix_all(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = {
      start = { line = 0, character = 0 },
      ['end'] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 },
    },
    context = { diagnostics = {}, only = { FIX_ALL } },
  }
  vim.lsp.buf_request_all(bufnr, 'textDocument/codeAction', params, function(results)
    for client_id, response in pairs(results or {}) do
      for _, action in ipairs((response and response.result) or {}) do
        if action.kind == FIX_ALL and action.edit then
          local client = vim.lsp.get_client_by_id(client_id)
          vim.lsp.util.apply_workspace_edit(action.edit, client and client.offset_encoding or 'utf-16')
          return
        end
      end
    end
    vim.notify('parity-lsp: no safe fixes in this buffer', vim.log.levels.INFO)
  end)
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', {}, M.defaults, opts or {})
  local section = M.config.settings and M.config.settings.parityLsp
  if type(section) == 'table' and vim.tbl_isempty(section) then
    M.config.settings.parityLsp = vim.empty_dict() -- `{}` would be sent as a JSON array
  end
  local group = vim.api.nvim_create_augroup('parity_lsp', { clear = true })
  -- Neovim before 0.10 has no csv/tsv filetypes
  vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
    group = group,
    pattern = { '*.csv', '*.tsv' },
    command = 'if &filetype ==# "" | execute "setfiletype " . expand("<afile>:e") | endif',
  })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  vim.api.nvim_create_user_command('ParityLspFixAll', function()
    M.fix_all(0)
  end, { desc = 'parity-lsp: fix all in file' })
  -- buffers opened before setup()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype) then
      M.attach(buf)
    end
  end
end

return M
