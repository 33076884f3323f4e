// End to end: start the real parity-lsp server exactly as the extension does (same
// `resolveServerCommand`, same spawn options) and talk to it over the JSON-RPC stack that
// vscode-languageclient uses (vscode-languageserver-protocol/node), on examples/demo-repo.
//
// The server comes from the repository's virtualenv: $PARITY_LSP_VENV, else ../../.venv.
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";

import {
  ClientCapabilities,
  CodeAction,
  CodeActionRequest,
  DefinitionRequest,
  Diagnostic,
  DocumentDiagnosticRequest,
  ExecuteCommandRequest,
  ExitNotification,
  InitializeRequest,
  InitializeResult,
  InitializedNotification,
  Location,
  LocationLink,
  LogMessageNotification,
  MessageConnection,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  createMessageConnection,
} from "vscode-languageserver-protocol/node";

import {
  DIAGNOSTIC_SOURCE,
  FIX_ALL_KIND,
  REPORT_COMMAND,
  ServerCommand,
  configurationResult,
  engineSettings,
  isExecutableFile,
  parseLocation,
  pickFixAll,
  reportHtml,
  resolveServerCommand,
  rewriteFileLinks,
  withCsp,
} from "../src/launch";

const EXT_ROOT = path.resolve(__dirname, "..", "..");
const REPO = path.resolve(EXT_ROOT, "..", "..");
const VENV = process.env.PARITY_LSP_VENV ? path.resolve(process.env.PARITY_LSP_VENV) : path.join(REPO, ".venv");
const VENV_BIN = path.join(VENV, process.platform === "win32" ? "Scripts" : "bin");
const DEMO = path.join(REPO, "examples", "demo-repo");
const EXPECTED = JSON.parse(fs.readFileSync(path.join(REPO, "editors", "demo-expected.json"), "utf8")) as {
  matrix: string;
  diagnostics: { line: number; code: string }[];
  definitions: { line: number; needle: string; target: string; target_line: number }[];
};
const MATRIX = path.join(DEMO, EXPECTED.matrix);
const MATRIX_URI = pathToFileURL(MATRIX).href;
const MATRIX_TEXT = fs.readFileSync(MATRIX, "utf8");
const PKG = JSON.parse(fs.readFileSync(path.join(EXT_ROOT, "package.json"), "utf8")) as { version: string };

if (!fs.existsSync(path.join(VENV_BIN, "parity-lsp"))) {
  throw new Error(`no parity-lsp in ${VENV_BIN}: run \`make\` (or set PARITY_LSP_VENV) before \`npm test\``);
}

/** What VS Code's configuration service answers for the `parityLsp` section: every key, the ones
 *  the user did not set with package.json's empty defaults ("", [], {}; null for maxFileBytes).
 *  An `include: []` that reached the server would mean "no matrices": the diagnostics this test
 *  waits for show that it does not. */
const VSCODE_SECTION = {
  path: "", interpreter: "", args: [], trace: { server: "off" },
  include: [], exclude: [], requiredColumns: [], columns: {}, statuses: [], statusMeanings: {}, proofLevels: [],
  exceptionsDoc: [], exceptionIdPattern: "", forbiddenEvidence: [], proofLevelGlobs: {},
  ownerPlaceholders: [], severity: { PM304: "error" }, select: [], ignore: [],
  maxFileBytes: null, changedSince: "",
};

/** The capabilities that matter here, as vscode-languageclient 9 announces them. */
function capabilities(pull: boolean): ClientCapabilities {
  return {
    general: { positionEncodings: ["utf-16"] },
    workspace: {
      configuration: true,
      workspaceFolders: true,
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
      executeCommand: { dynamicRegistration: true },
      ...(pull ? { diagnostics: { refreshSupport: true } } : {}),
    },
    textDocument: {
      synchronization: { dynamicRegistration: true, didSave: true, willSave: true, willSaveWaitUntil: true },
      publishDiagnostics: { relatedInformation: true, versionSupport: false, codeDescriptionSupport: true, dataSupport: true },
      ...(pull ? { diagnostic: { dynamicRegistration: true, relatedDocumentSupport: false } } : {}),
      definition: { dynamicRegistration: true, linkSupport: true },
      codeAction: {
        dynamicRegistration: true,
        isPreferredSupport: true,
        dataSupport: true,
        resolveSupport: { properties: ["edit"] },
        codeActionLiteralSupport: { codeActionKind: { valueSet: ["", "quickfix", "refactor", "source", "source.fixAll"] } },
      },
    },
    window: { workDoneProgress: true, showMessage: {} },
  };
}

interface Session {
  proc: ChildProcess;
  conn: MessageConnection;
  init: InitializeResult;
  pushed: Map<string, Diagnostic[]>;
  warnings: string[];
  stderr: string[];
  refreshes: () => number; // workspace/diagnostic/refresh requests received so far
}

const running: ChildProcess[] = [];
after(() => {
  for (const p of running) if (p.exitCode === null) p.kill();
});

async function start(server: ServerCommand, pull: boolean): Promise<Session> {
  // what vscode-languageclient does for an Executable without `transport`: spawn with stdio pipes
  const proc = spawn(server.command, server.args, { cwd: server.options.cwd, env: server.options.env, stdio: "pipe" });
  running.push(proc);
  const stderr: string[] = [];
  proc.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const pushed = new Map<string, Diagnostic[]>();
  const warnings: string[] = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => pushed.set(p.uri, p.diagnostics));
  conn.onNotification(LogMessageNotification.type, (p) => {
    if (p.type <= 2) warnings.push(p.message);
  });
  // the languageclient middleware: VS Code's section, filtered by configurationResult
  conn.onRequest("workspace/configuration", (params: { items: { section?: string }[] }) =>
    configurationResult(params.items, params.items.map((i) => (i.section === "parityLsp" ? VSCODE_SECTION : null))),
  );
  conn.onRequest("client/registerCapability", () => null);
  conn.onRequest("client/unregisterCapability", () => null);
  conn.onRequest("window/workDoneProgress/create", () => null);
  let refreshes = 0;
  conn.onRequest("workspace/diagnostic/refresh", () => {
    refreshes += 1; // what VS Code does on a refresh: pull the open documents again
    return null;
  });
  conn.onRequest("workspace/codeLens/refresh", () => null);
  conn.onRequest("workspace/semanticTokens/refresh", () => null);
  conn.onNotification("$/progress", () => undefined);
  conn.listen();
  const init = await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    clientInfo: { name: "Visual Studio Code", version: "1.82.0" },
    rootUri: pathToFileURL(DEMO).href,
    workspaceFolders: [{ uri: pathToFileURL(DEMO).href, name: "demo-repo" }],
    initializationOptions: engineSettings(VSCODE_SECTION),
    capabilities: capabilities(pull),
  });
  await conn.sendNotification(InitializedNotification.type, {});
  await conn.sendNotification("textDocument/didOpen", {
    textDocument: { uri: MATRIX_URI, languageId: "markdown", version: 1, text: MATRIX_TEXT },
  });
  return { proc, conn, init, pushed, warnings, stderr, refreshes: () => refreshes };
}

async function stop(s: Session): Promise<void> {
  await s.conn.sendRequest(ShutdownRequest.type);
  await s.conn.sendNotification(ExitNotification.type);
  await new Promise<void>((resolve) => {
    if (s.proc.exitCode !== null) return resolve();
    const timer = setTimeout(() => {
      s.proc.kill();
      resolve();
    }, 5000);
    s.proc.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  s.conn.dispose();
}

function linesAndCodes(diagnostics: Diagnostic[]): string[] {
  return diagnostics
    .filter((d) => d.source === DIAGNOSTIC_SOURCE)
    .map((d) => `${d.range.start.line + 1} ${d.code}`)
    .sort();
}

const EXPECTED_LINES = EXPECTED.diagnostics.map((d) => `${d.line} ${d.code}`).sort();

/** The server stages its diagnostics (the syntactic findings first, then the rest): each result
 *  is a subset of the complete one, and the last equals what `parity-lsp check` reports. */
function assertStage(lines: string[]): boolean {
  const extra = lines.filter((l) => !EXPECTED_LINES.includes(l));
  assert.deepEqual(extra, [], "a stage holds only findings of the complete diagnostics");
  return lines.length === EXPECTED_LINES.length;
}

/** Pull as VS Code does: once after opening, then again on each workspace/diagnostic/refresh,
 *  until the complete diagnostics arrive. */
async function pullUntilComplete(s: Session): Promise<Diagnostic[]> {
  for (;;) {
    const before = s.refreshes();
    const report = await s.conn.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri: MATRIX_URI } });
    assert.equal(report.kind, "full");
    const items = (report as { items: Diagnostic[] }).items;
    if (assertStage(linesAndCodes(items))) return items;
    await waitFor("a diagnostic refresh after a staged result", () => (s.refreshes() > before ? true : undefined));
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 30000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function host(env: NodeJS.ProcessEnv) {
  return { platform: process.platform, env, homeDir: os.homedir(), workspaceFolder: DEMO, isExecutable: isExecutableFile };
}

test("parity-lsp on PATH, as VS Code: initialize, pull diagnostics, fix all, go to definition", async () => {
  const env = { ...process.env, PATH: `${VENV_BIN}${path.delimiter}${process.env.PATH ?? ""}` };
  const server = resolveServerCommand({ path: null, interpreter: null, args: [] }, host(env));
  assert.equal(server.source, "PATH");
  assert.equal(server.command, path.join(VENV_BIN, "parity-lsp"));
  assert.deepEqual(server.args, ["serve", "--stdio"]);

  const s = await start(server, true);
  try {
    assert.equal(s.init.serverInfo?.name, "parity-lsp");
    assert.equal(s.init.serverInfo?.version, PKG.version, "package.json version must match parity_lsp.__version__");
    assert.ok(s.init.capabilities.diagnosticProvider, "the server offers pull diagnostics");

    const items = await pullUntilComplete(s);
    assert.deepEqual(linesAndCodes(items), EXPECTED_LINES);
    // parityLsp.severity from workspace/configuration reached the engine
    const drift = items.find((d) => d.code === "PM304")!;
    assert.equal(drift.severity, 1, "PM304 is an error by the parityLsp.severity setting");
    assert.ok(items.every((d) => d.codeDescription === undefined || d.codeDescription.href.length > 0));
    assert.deepEqual(s.warnings.filter((m) => /unknown key|expected/.test(m)), [], "no settings problems");

    // "Fix all in file": the source.fixAll.parityLsp action with an edit
    const actions = (await s.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: MATRIX_URI },
      range: { start: { line: 0, character: 0 }, end: { line: MATRIX_TEXT.split("\n").length, character: 0 } },
      context: { diagnostics: [], only: [FIX_ALL_KIND] },
    })) as CodeAction[];
    const fix = pickFixAll(actions);
    assert.ok(fix, `a fix-all action among ${JSON.stringify(actions.map((a) => a.kind))}`);
    const edits = fix!.edit?.changes?.[MATRIX_URI] ?? fix!.edit?.documentChanges?.flatMap((c) => ("edits" in c ? c.edits : []));
    assert.ok(edits && edits.length > 0, "the fix-all action edits the matrix");

    // go to definition
    const lines = MATRIX_TEXT.split("\n");
    for (const d of EXPECTED.definitions) {
      const character = lines[d.line - 1].indexOf(d.needle) + 2;
      assert.ok(character > 1, `${d.needle} on line ${d.line}`);
      const result = await s.conn.sendRequest(DefinitionRequest.type, {
        textDocument: { uri: MATRIX_URI },
        position: { line: d.line - 1, character },
      });
      const first = (Array.isArray(result) ? result[0] : result) as Location | LocationLink | null;
      assert.ok(first, `a definition for ${d.needle}`);
      const uri = "targetUri" in first! ? first.targetUri : first!.uri;
      const range = "targetUri" in first! ? first.targetSelectionRange : first!.range;
      assert.equal(uri, pathToFileURL(path.join(DEMO, d.target)).href);
      assert.equal(range.start.line + 1, d.target_line, `${d.needle} → ${d.target}:${d.target_line}`);
    }
  } finally {
    await stop(s);
  }
});

test("parityLsp.interpreter: `python -m parity_lsp serve --stdio`, pushed diagnostics", async () => {
  const python = path.join(VENV_BIN, process.platform === "win32" ? "python.exe" : "python");
  const server = resolveServerCommand({ interpreter: python, args: [] }, host(process.env));
  assert.equal(server.source, "parityLsp.interpreter");
  assert.deepEqual(server.args, ["-m", "parity_lsp", "serve", "--stdio"]);
  const s = await start(server, false);
  try {
    // pushed in stages: each a subset of the complete diagnostics, the last one complete
    const items = await waitFor("the complete published diagnostics", () => {
      const d = s.pushed.get(MATRIX_URI);
      return d && d.length && assertStage(linesAndCodes(d)) ? d : undefined;
    });
    assert.deepEqual(linesAndCodes(items), EXPECTED_LINES);
  } finally {
    await stop(s);
  }
});

test("Open parity report: parityLsp.showReport returns HTML", async (t) => {
  const env = { ...process.env, PATH: `${VENV_BIN}${path.delimiter}${process.env.PATH ?? ""}` };
  const s = await start(resolveServerCommand({}, host(env)), true);
  try {
    const commands = s.init.capabilities.executeCommandProvider?.commands ?? [];
    if (!commands.includes(REPORT_COMMAND)) {
      t.skip(`the server does not offer ${REPORT_COMMAND} yet (offers: ${commands.join(", ") || "none"})`);
      return;
    }
    const result = await s.conn.sendRequest(ExecuteCommandRequest.type, { command: REPORT_COMMAND, arguments: [{ format: "html" }] });
    const html = reportHtml(result);
    assert.match(html, /<(html|table|body|h1)/i);
    assert.match(html, /dagster-parity-matrix/);
    // what the webview gets: the report's own CSP, and row links that open the matrix at the row
    const page = rewriteFileLinks(withCsp(html, "vscode-webview:"));
    assert.equal((page.match(/Content-Security-Policy/g) ?? []).length, (html.match(/Content-Security-Policy/g) ?? []).length || 1);
    assert.doesNotMatch(page, /href=["']file:/);
    const links = [...page.matchAll(/href="command:parityLsp\.openLocation\?([^"]*)"/g)].map((m) => JSON.parse(decodeURIComponent(m[1]))[0] as string);
    assert.ok(links.length > 0, "the report links its rows");
    const row = parseLocation(links.find((l) => l.includes("dagster-parity-matrix.md#L"))!);
    assert.equal(row.uri, MATRIX_URI);
    assert.ok(row.line >= 10 && row.line <= MATRIX_TEXT.split("\n").length, `row link ${row.line}`);
  } finally {
    await stop(s);
  }
});
