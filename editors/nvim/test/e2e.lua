-- Headless end-to-end driver (tests/test_editor_nvim.py runs it; also handy by hand):
--
--   PARITY_E2E_MODE=config|setup PARITY_E2E_PLUGIN=editors/nvim \
--   PARITY_E2E_ROOT=examples/demo-repo PARITY_E2E_EXPECTED=editors/demo-expected.json \
--   PARITY_E2E_OUT=/tmp/out.json [PARITY_E2E_SETTINGS='{"ignore":["PM103"]}'] nvim --headless -u NONE -i NONE -n -c 'luafile editors/nvim/test/e2e.lua'
--
-- mode `config`: Neovim 0.11 `vim.lsp.enable('parity_lsp')` through lsp/parity_lsp.lua;
-- mode `setup`:  require('parity_lsp').setup{} (vim.lsp.start on 0.8+, start_client on 0.7).
-- Opens the matrix (with `vim.diagnostic.config({ severity_sort = true, virtual_text = true })`,
-- as README suggests), waits for diagnostics, presses `gd` on each expected target (with
-- PARITY_E2E_USER_GD=1 the user maps `gd` first: it must stay theirs, and the driver calls
-- vim.lsp.buf.definition() instead) and CTRL-] on the first; then (PARITY_E2E_CITED=1) edits a
-- cited Rust file in a buffer, first without saving, then saves it (the plugin tells the server),
-- and puts it back; then (PARITY_E2E_SAVE=1) creates a missing cited file on disk, saves the
-- matrix and waits for the server to drop the PM301 (no watched files on Neovim/Linux: the
-- server re-checks on save), and last applies "fix all" (code action source.fixAll.parityLsp).
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

-- the sign Neovim shows on a line (1-based) of `buf`: the text of the one with the highest priority
local function top_sign(buf, lnum)
  local best, text = -1, vim.NIL
  if vim.fn.has('nvim-0.10') == 1 then
    for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, -1, { lnum - 1, 0 }, { lnum - 1, -1 }, { details = true, type = 'sign' })) do
      local d = m[4]
      if d.sign_text and (d.priority or 0) > best then
        best, text = d.priority or 0, vim.trim(d.sign_text)
      end
    end
  else
    for _, group in ipairs(vim.fn.sign_getplaced(buf, { group = '*', lnum = lnum })) do
      for _, sign in ipairs(group.signs) do
        if sign.priority > best then
          local def = vim.fn.sign_getdefined(sign.name)[1]
          best, text = sign.priority, def and vim.trim(def.text or '') or vim.NIL
        end
      end
    end
  end
  return text
end

local function has(buf, line, code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.lnum + 1 == line and code_of(d) == code then
      return true
    end
  end
  return false
end

local function windows()
  return #vim.api.nvim_tabpage_list_wins(0)
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
  vim.diagnostic.config({ severity_sort = true, virtual_text = true })
  local user_gd = env.PARITY_E2E_USER_GD == '1'
  if user_gd then -- a user's own `gd`, mapped before the plugin: it must stay theirs
    vim.g.user_gd = 0
    vim.keymap.set('n', 'gd', function()
      vim.g.user_gd = vim.g.user_gd + 1
    end, { desc = 'my gd' })
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
  out.sign_line_12 = top_sign(buf, 12) -- PM101 (error) and PM308 (warning)
  log('diagnostics: ' .. #out.diagnostics)

  -- `gd` as mapped in the matrix's buffer (buffer-local by the plugin, or the user's)
  local gd = vim.fn.maparg('gd', 'n', false, true)
  out.gd = { desc = gd.desc or vim.NIL, buffer = gd.buffer or 0 }
  if user_gd then
    vim.cmd('normal gd')
    out.user_gd_calls = vim.g.user_gd
  end

  local function jump(def, keys)
    vim.cmd('buffer ' .. buf)
    vim.cmd('only')
    vim.fn.setqflist({}, 'r')
    local text = vim.api.nvim_buf_get_lines(buf, def.line - 1, def.line, false)[1]
    local start = text:find(def.needle, 1, true)
    vim.api.nvim_win_set_cursor(0, { def.line, start }) -- byte column, 0-based: inside the needle
    local ok, err = pcall(keys)
    local jumped = ok
      and vim.wait(10000, function()
        return vim.api.nvim_get_current_buf() ~= buf
      end, 50)
    if ok then
      vim.wait(200) -- a list would open now
    end
    return {
      needle = def.needle,
      jumped = jumped,
      error = (not ok) and tostring(err) or vim.NIL,
      file = vim.api.nvim_buf_get_name(0),
      line = vim.api.nvim_win_get_cursor(0)[1],
      windows = windows(), -- 1: no quickfix or location list window opened
      qf_items = #vim.fn.getqflist(),
    }
  end

  out.definitions = {}
  for _, def in ipairs(expected.definitions) do
    table.insert(out.definitions, jump(def, function()
      if user_gd then
        vim.lsp.buf.definition()
      else
        vim.cmd('normal gd')
      end
    end))
  end
  -- CTRL-]: 'tagfunc' is set to vim.lsp.tagfunc on attach (Neovim 0.8+)
  out.tagfunc = vim.bo[buf].tagfunc
  out.tag_jump = jump(expected.definitions[1], function()
    vim.cmd('exe "normal \\<C-]>"')
  end)
  vim.cmd('buffer ' .. buf)
  vim.cmd('only')

  if env.PARITY_E2E_CITED == '1' then
    -- a cited Rust file edited in Neovim: two lines above `tick_idempotency_key`, which the
    -- matrix cites at line 6 (row on line 10): line 6 drifts out of it (PM304)
    local cited = root .. '/crates/flow-core/src/schedule.rs'
    vim.cmd('edit ' .. vim.fn.fnameescape(cited))
    local rs = vim.api.nvim_get_current_buf()
    out.cited_clients = #clients(rs) -- the server is not attached to Rust buffers
    vim.api.nvim_buf_set_lines(rs, 0, 0, false, { '// one', '// two' })
    out.unsaved_edit_updates = vim.wait(1000, function()
      return has(buf, 10, 'PM304')
    end, 50)
    vim.cmd('silent write')
    out.save_updates = vim.wait(10000, function()
      return has(buf, 10, 'PM304')
    end, 50)
    out.after_cited_save = diagnostics(buf)
    vim.api.nvim_buf_set_lines(rs, 0, 2, false, {})
    vim.cmd('silent write')
    out.restore_updates = vim.wait(10000, function()
      return not has(buf, 10, 'PM304')
    end, 50)
    vim.cmd('buffer ' .. buf)
    log('cited file edited and saved')
  end

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
