-- Headless end-to-end driver (tests/test_editor_nvim.py runs it; also handy by hand):
--
--   PARITY_E2E_MODE=config|setup PARITY_E2E_PLUGIN=editors/nvim \
--   PARITY_E2E_ROOT=examples/demo-repo PARITY_E2E_EXPECTED=editors/demo-expected.json \
--   PARITY_E2E_OUT=/tmp/out.json [PARITY_E2E_SETTINGS='{"ignore":["PM103"]}'] nvim --headless -u NONE -i NONE -n -c 'luafile editors/nvim/test/e2e.lua'
--
-- mode `config`: Neovim 0.11 `vim.lsp.enable('parity_lsp')` through lsp/parity_lsp.lua;
-- mode `setup`:  require('parity_lsp').setup{} (vim.lsp.start on 0.8+, start_client on 0.7).
-- Opens the matrix, waits for diagnostics, runs go-to-definition for each expected target, then
-- (PARITY_E2E_SAVE=1) creates a missing cited file on disk, saves the matrix and waits for the
-- server to drop the PM301 (no watched files on Neovim/Linux: the server re-checks on save),
-- and last applies "fix all" (code action source.fixAll.parityLsp) to the buffer.
-- Everything observed goes to PARITY_E2E_OUT as JSON; Neovim then quits.

local env = vim.env
local out = { steps = {} }

local function log(msg)
  table.insert(out.steps, msg)
end

local function write_out()
  local f = assert(io.open(env.PARITY_E2E_OUT, 'w'))
  f:write(vim.fn.json_encode(out))
  f:close()
end

local function read_json(path)
  local f = assert(io.open(path, 'r'))
  local text = f:read('*a')
  f:close()
  return vim.fn.json_decode(text)
end

local function code_of(d)
  if d.code ~= nil then
    return d.code
  end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code or vim.NIL
end

local function diagnostics(buf)
  local items = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(items, { line = d.lnum + 1, col = d.col, code = code_of(d), source = d.source or vim.NIL, severity = d.severity })
  end
  return items
end

local function clients(buf)
  local list
  if vim.lsp.get_clients then
    list = vim.lsp.get_clients({ bufnr = buf })
  else
    list = vim.tbl_values(vim.lsp.buf_get_clients(buf))
  end
  local info = {}
  for _, c in ipairs(list) do
    table.insert(info, { name = c.name, root_dir = c.config.root_dir or vim.NIL, offset_encoding = c.offset_encoding or vim.NIL })
  end
  return info
end

local function run()
  out.version = vim.split(vim.fn.execute('version'), '\n', { trimempty = true })[1]
  out.mode = env.PARITY_E2E_MODE
  local expected = read_json(env.PARITY_E2E_EXPECTED)
  local root = vim.fn.fnamemodify(env.PARITY_E2E_ROOT, ':p'):gsub('/$', '')
  local matrix = root .. '/' .. expected.matrix

  vim.cmd('filetype on') -- -u NONE leaves filetype detection off
  if env.PARITY_E2E_DEBUG == '1' then
    vim.lsp.set_log_level('debug') -- $XDG_STATE_HOME/nvim/lsp.log (0.7: $XDG_CACHE_HOME/nvim/lsp.log)
  end
  vim.opt.runtimepath:prepend(env.PARITY_E2E_PLUGIN)
  -- what the server logs (settings problems show up here)
  out.log_messages = {}
  vim.lsp.handlers['window/logMessage'] = function(_, result)
    table.insert(out.log_messages, result)
  end
  -- engine settings as a user writes them (PARITY_E2E_SETTINGS: JSON of the parityLsp table)
  local opts = {}
  if env.PARITY_E2E_SETTINGS and env.PARITY_E2E_SETTINGS ~= '' then
    opts.settings = { parityLsp = vim.fn.json_decode(env.PARITY_E2E_SETTINGS) }
  end
  if env.PARITY_E2E_MODE == 'config' then
    if opts.settings then
      vim.lsp.config('parity_lsp', opts)
    end
    vim.lsp.enable('parity_lsp')
  else
    require('parity_lsp').setup(opts)
  end

  vim.cmd('edit ' .. vim.fn.fnameescape(matrix))
  local buf = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[buf].filetype
  log('opened ' .. matrix)

  local want = #expected.diagnostics
  out.attached = vim.wait(20000, function()
    return #clients(buf) > 0
  end, 50)
  out.clients = clients(buf)
  out.diagnostics_complete = vim.wait(30000, function()
    return #vim.diagnostic.get(buf) >= want
  end, 50)
  vim.wait(300)
  out.diagnostics = diagnostics(buf)
  log('diagnostics: ' .. #out.diagnostics)

  out.definitions = {}
  for _, def in ipairs(expected.definitions) do
    vim.cmd('buffer ' .. buf)
    local text = vim.api.nvim_buf_get_lines(buf, def.line - 1, def.line, false)[1]
    local start = text:find(def.needle, 1, true)
    vim.api.nvim_win_set_cursor(0, { def.line, start }) -- byte column, 0-based: inside the needle
    vim.lsp.buf.definition()
    local jumped = vim.wait(10000, function()
      return vim.api.nvim_get_current_buf() ~= buf
    end, 50)
    table.insert(out.definitions, {
      needle = def.needle,
      jumped = jumped,
      file = vim.api.nvim_buf_get_name(0),
      line = vim.api.nvim_win_get_cursor(0)[1],
    })
  end
  vim.cmd('buffer ' .. buf)

  if env.PARITY_E2E_SAVE == '1' then
    -- a file the matrix cites appears on disk; saving the matrix makes the server look again
    local missing = root .. '/crates/flow-sensors/src/cursor.rs'
    local f = assert(io.open(missing, 'w'))
    f:write('pub fn advance_cursor(cursor: u64, seen: u64) -> u64 {\n    cursor.max(seen)\n}\n')
    f:close()
    local function pm301_gone()
      return vim.wait(5000, function()
        for _, d in ipairs(vim.diagnostic.get(buf)) do
          if code_of(d) == 'PM301' then
            return false
          end
        end
        return #vim.diagnostic.get(buf) > 0
      end, 50)
    end
    vim.cmd('silent write')
    out.pm301_gone_after_save = pm301_gone()
    out.after_save = diagnostics(buf)
    log('saved')
    if not out.pm301_gone_after_save then
      -- :edit reloads the buffer, and Neovim pulls diagnostics again on reload
      vim.cmd('edit')
      out.pm301_gone_after_reload = pm301_gone()
      log('reloaded')
    end
  end

  -- fix all: the safe fixes of the buffer (code action source.fixAll.parityLsp)
  local before = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
  if env.PARITY_E2E_MODE == 'config' then
    vim.lsp.buf.code_action({ context = { only = { 'source.fixAll.parityLsp' }, diagnostics = {} }, apply = true })
  else
    vim.cmd('ParityLspFixAll')
  end
  out.fix_all_applied = vim.wait(10000, function()
    return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') ~= before
  end, 50)
  out.fixed_lines = vim.api.nvim_buf_get_lines(buf, 10, 12, false) -- lines 11 and 12
  log('fix all')
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  out.error = err
end
write_out()
vim.cmd('qa!')
