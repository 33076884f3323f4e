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
--
-- Both ways (`hooks`):
-- - `gd` jumps to the definition in the matrix's buffers (buffer-local, set on attach), unless
--   `gd` is mapped already (by you, globally or for the buffer); `keymaps = false` in setup{}
--   or `vim.g.parity_lsp_keymaps = false` leaves `gd` alone. Neovim 0.8+ also sets 'tagfunc':
--   CTRL-] jumps too.
-- - Saving any file under a client's root (a cited Rust file, a workflow, ...) is sent to the
--   server as `workspace/didChangeWatchedFiles`: Neovim on Linux watches no files for servers,
--   and the server sees only the matrices' buffers. Skipped when the client asked for file
--   watching (`didChangeWatchedFiles.dynamicRegistration`: the server registers a watcher and
--   Neovim reports the change itself) and for buffers attached to the client (`didSave`).

local M = {}

local uv = vim.uv or vim.loop

-- a method of a client: `client:m()` on 0.11+ (`client.m()` is deprecated there), `client.m()` before
local function call(client, name, ...)
  if vim.fn.has('nvim-0.11') == 1 then
    return client[name](client, ...)
  end
  return client[name](...)
end

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
  keymaps = true, -- `gd` in attached buffers (see `map_keys`)
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
        call(client, 'notify', 'workspace/didChangeConfiguration', { settings = settings })
      end
      if c.on_init then
        return c.on_init(client, result)
      end
    end,
    on_attach = function(client, bufnr)
      if c.keymaps ~= false then
        M.map_keys(bufnr) -- 0.7 has no LspAttach
      end
      if c.on_attach then
        return c.on_attach(client, bufnr)
      end
    end,
    capabilities = c.capabilities,
  }
end

local function alive(id)
  local client = id and vim.lsp.get_client_by_id(id)
  return client ~= nil and not call(client, 'is_stopped')
end

local function mapped(list, lhs)
  for _, map in ipairs(list) do
    if map.lhs == lhs then
      return true
    end
  end
  return false
end

--- Maps `gd` (normal mode, buffer-local) to `vim.lsp.buf.definition()` in `bufnr`, unless `gd`
--- is mapped already, for the buffer or globally (yours wins), or `vim.g.parity_lsp_keymaps` is
--- false. Neovim 0.11 maps `grr`, `gri`, `K` and CTRL-] but no `gd`.
function M.map_keys(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.g.parity_lsp_keymaps == false or not vim.api.nvim_buf_is_valid(bufnr) then
    return false
  end
  if mapped(vim.api.nvim_buf_get_keymap(bufnr, 'n'), 'gd') or mapped(vim.api.nvim_get_keymap('n'), 'gd') then
    return false
  end
  vim.keymap.set('n', 'gd', function()
    vim.lsp.buf.definition()
  end, { buffer = bufnr, silent = true, desc = 'parity-lsp: go to definition' })
  return true
end

local function clients_named(name)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = name })
  end
  local list = {}
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == name then
      table.insert(list, client)
    end
  end
  return list
end

-- whether the client told the server it watches files for it (Neovim 0.10+ on macOS and Windows,
-- or a user's `capabilities`): the server then registers a watcher and Neovim reports changes
local function watches_files(client)
  local caps = client.capabilities or (client.config and client.config.capabilities) or {}
  local w = caps.workspace and caps.workspace.didChangeWatchedFiles
  return type(w) == 'table' and w.dynamicRegistration == true
end

local function roots_of(client)
  local roots = {}
  for _, folder in ipairs(client.workspace_folders or {}) do
    table.insert(roots, vim.uri_to_fname(folder.uri))
  end
  if #roots == 0 and client.config and client.config.root_dir then
    table.insert(roots, client.config.root_dir)
  end
  return roots
end

local function under(path, root)
  root = root:gsub('/+$', '')
  return root ~= '' and path:sub(1, #root + 1) == root .. '/'
end

--- Tells the clients named `name` that `path` was written (`created`: it did not exist before):
--- `workspace/didChangeWatchedFiles`, as an editor that watches files would. Returns how many
--- clients were told.
function M.file_saved(name, bufnr, path, created)
  local told = 0
  for _, client in ipairs(clients_named(name)) do
    local attached = vim.lsp.buf_is_attached(bufnr, client.id)
    if not attached and not watches_files(client) and not call(client, 'is_stopped') then
      for _, root in ipairs(roots_of(client)) do
        if under(path, root) then
          call(client, 'notify', 'workspace/didChangeWatchedFiles', {
            changes = { { uri = vim.uri_from_fname(path), type = created and 1 or 2 } },
          })
          told = told + 1
          break
        end
      end
    end
  end
  return told
end

--- The autocommands every way of starting the server shares (idempotent): `gd` on attach (on
--- Neovim 0.8+, through LspAttach: no `on_attach` of yours is replaced) and saved files sent to
--- the server.
function M.hooks(name)
  name = name or 'parity_lsp'
  local group = vim.api.nvim_create_augroup('parity_lsp_hooks_' .. name, { clear = true })
  if vim.fn.exists('##LspAttach') == 1 then
    vim.api.nvim_create_autocmd('LspAttach', {
      group = group,
      callback = function(args)
        local client = vim.lsp.get_client_by_id(args.data.client_id)
        if client and client.name == name then
          M.map_keys(args.buf)
        end
      end,
    })
  end
  vim.api.nvim_create_autocmd('BufWritePre', {
    group = group,
    callback = function(args)
      local path = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ':p')
      vim.b[args.buf].parity_lsp_new_file = path ~= '' and uv.fs_stat(path) == nil
    end,
  })
  vim.api.nvim_create_autocmd('BufWritePost', {
    group = group,
    callback = function(args)
      local path = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ':p')
      if path ~= '' and vim.bo[args.buf].buftype == '' then
        M.file_saved(name, args.buf, path, vim.b[args.buf].parity_lsp_new_file == true)
      end
    end,
  })
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
  M.hooks(M.config.name)
  if M.config.keymaps == false then
    vim.api.nvim_clear_autocmds({ group = 'parity_lsp_hooks_' .. M.config.name, event = 'LspAttach' })
  end
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
