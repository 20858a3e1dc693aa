-- Neovim's own LSP client against `pg-harden lsp --stdio` (test/neovim.test.ts runs it headless):
-- load the file types of docs/editors.md, open a pg_hba.conf, wait for diagnostics, ask for code actions at the hba-trust one on line 9,
-- apply the "Require a password" fix, wait for the server to recheck, write the file, quit.
-- Everything observed goes to $PGH_OUT as JSON; the test asserts on it. Every wait is bounded, and a
-- timer quits Neovim whatever happens, so a broken server can never hang the run.
local cli = assert(os.getenv('PGH_CLI'), 'PGH_CLI: path of dist/cli.js')
local file = assert(os.getenv('PGH_FILE'), 'PGH_FILE: the pg_hba.conf to open')
local out = assert(os.getenv('PGH_OUT'), 'PGH_OUT: where to write the result')
local filetypes = assert(os.getenv('PGH_FILETYPES'), 'PGH_FILETYPES: the vim.filetype.add block of docs/editors.md')
local step_ms = tonumber(os.getenv('PGH_STEP_TIMEOUT_MS') or '15000')
local hard_ms = tonumber(os.getenv('PGH_HARD_TIMEOUT_MS') or '45000')

local result = { nvim = vim.version(), api = vim.lsp.start and 'vim.lsp.start' or 'vim.lsp.start_client' }
local done = false

local function finish(err)
  if done then return end
  done = true
  result.error = err
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd(err and 'cquit 1' or 'qall!')
end

vim.defer_fn(function() finish('hard timeout after ' .. hard_ms .. ' ms') end, hard_ms)

local function wait_for(what, condition)
  if not vim.wait(step_ms, condition, 20) then error('timed out waiting for ' .. what, 0) end
end

local function summarize(diagnostics)
  local list = {}
  for _, d in ipairs(diagnostics) do
    table.insert(list, { line = d.range.start.line, character = d.range.start.character, code = d.code, severity = d.severity })
  end
  return list
end

local function run()
  dofile(filetypes)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)
  -- The documented file types decide the filetype, which Neovim sends as the language id.
  if vim.fn.has('nvim-0.8') == 1 then
    vim.bo[bufnr].filetype = vim.filetype.match({ filename = file }) or ''
  else -- 0.7 sets it itself
    vim.filetype.match(file, bufnr)
  end
  result.filetype = vim.bo[bufnr].filetype
  result.detected = {}
  for _, name in ipairs(vim.split(os.getenv('PGH_SAMPLE_NAMES') or '', ':', { trimempty = true })) do
    if vim.fn.has('nvim-0.8') == 1 then
      result.detected[name] = vim.filetype.match({ filename = name }) or ''
    else
      local scratch = vim.api.nvim_create_buf(false, true)
      vim.filetype.match(name, scratch)
      result.detected[name] = vim.bo[scratch].filetype
      vim.api.nvim_buf_delete(scratch, { force = true })
    end
  end

  -- Every publication is kept: the one after the edit must differ from the first.
  local published = {}
  local config = {
    name = 'pg-harden',
    cmd = { 'node', cli, 'lsp', '--stdio' },
    root_dir = vim.fn.fnamemodify(file, ':p:h'),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, params, ctx, cfg)
        if params and params.uri == uri then table.insert(published, params.diagnostics) end
        return vim.lsp.handlers['textDocument/publishDiagnostics'](err, params, ctx, cfg)
      end,
    },
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else -- Neovim 0.7 (Debian 12) has no vim.lsp.start yet
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  assert(client_id, 'the language server did not start')

  wait_for('diagnostics', function() return #published > 0 and #published[#published] > 0 end)
  local diagnostics = published[#published]
  result.diagnostics = summarize(diagnostics)
  result.neovim_diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.neovim_diagnostics, { line = d.lnum, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) })
  end

  local trust
  for _, d in ipairs(diagnostics) do
    if d.code == 'hba-trust' and d.range.start.line == 8 then trust = d end
  end
  assert(trust, 'no hba-trust diagnostic on line 9')

  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = { uri = uri },
    range = trust.range,
    context = { diagnostics = { trust } },
  }, step_ms)
  local actions = {}
  for _, response in pairs(responses or {}) do
    for _, action in ipairs(response.result or {}) do table.insert(actions, action) end
  end
  result.actions = {}
  local chosen
  for _, action in ipairs(actions) do
    table.insert(result.actions, action.title)
    if action.edit and action.title:find('^Require a password') then chosen = action end
  end
  assert(chosen, 'no "Require a password" action with an edit')
  result.applied = chosen.title

  local before = #published
  local client = vim.lsp.get_client_by_id(client_id)
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding or 'utf-16')
  vim.cmd('write')
  wait_for('diagnostics after the edit', function() return #published > before end)
  result.diagnostics_after = summarize(published[#published])

  vim.lsp.stop_client(client_id)
  wait_for('the server to stop', function() return vim.lsp.get_client_by_id(client_id) == nil end)
end

local ok, err = pcall(run)
finish(not ok and tostring(err) or nil)
