/**
 * The parity-lsp VS Code extension: starts `parity-lsp serve --stdio` through
 * vscode-languageclient and adds four commands and a status bar item. All decisions (which
 * command to run, which settings to send, what to count) live in ./launch.ts.
 */

import * as os from "node:os";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from "vscode-languageclient/node";

import {
  DOCUMENT_SELECTOR,
  ENGINE_KEYS,
  FIX_ALL_KIND,
  LaunchError,
  OPEN_LOCATION_COMMAND,
  REPORT_COMMAND,
  SECTION,
  ServerState,
  configurationResult,
  countErrors,
  engineSettings,
  isExecutableFile,
  needsRestart,
  parseLocation,
  pickFixAll,
  reportHtml,
  resolveServerCommand,
  rewriteFileLinks,
  statusText,
  withCsp,
} from "./launch";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let statusBar: vscode.StatusBarItem;
let state: ServerState = "stopped";
let reportPanel: vscode.WebviewPanel | undefined;

function workspaceFolder(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file");
  return folder?.uri.fsPath;
}

function currentEngineSettings(): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  return engineSettings(Object.fromEntries(ENGINE_KEYS.map((k) => [k, cfg.get(k)])));
}

function updateStatus(): void {
  const { errors, files } = countErrors(vscode.languages.getDiagnostics(), vscode.DiagnosticSeverity.Error);
  const { text, tooltip } = statusText(state, errors, files);
  statusBar.text = text;
  statusBar.tooltip = tooltip;
  statusBar.command = state === "failed" || state === "stopped" ? "parityLsp.showOutput" : "workbench.actions.view.problems";
  statusBar.show();
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  let server;
  try {
    server = resolveServerCommand(
      { path: cfg.get<string | null>("path"), interpreter: cfg.get<string | null>("interpreter"), args: cfg.get<string[]>("args") },
      { platform: process.platform, env: process.env, homeDir: os.homedir(), workspaceFolder: workspaceFolder(), isExecutable: isExecutableFile },
    );
  } catch (err) {
    state = "failed";
    updateStatus();
    const message = err instanceof LaunchError ? err.message : String(err);
    output.appendLine(`[error] ${message}`);
    const choice = await vscode.window.showErrorMessage(`parity-lsp: ${message}`, "Open settings", "Show output");
    if (choice === "Open settings") void vscode.commands.executeCommand("workbench.action.openSettings", SECTION);
    if (choice === "Show output") output.show();
    return;
  }
  output.appendLine(`[info] starting ${server.command} ${server.args.join(" ")} (from ${server.source})`);

  const serverOptions: ServerOptions = {
    command: server.command,
    args: server.args,
    options: { cwd: server.options.cwd, env: server.options.env },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: currentEngineSettings(),
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return configurationResult(params.items, result);
        },
      },
    },
  };
  const c = new LanguageClient(SECTION, "parity-lsp", serverOptions, clientOptions);
  client = c;
  context.subscriptions.push(
    c.onDidChangeState((e) => {
      state = e.newState === State.Running ? "running" : e.newState === State.Starting ? "starting" : "stopped";
      updateStatus();
    }),
  );
  state = "starting";
  updateStatus();
  try {
    await c.start();
  } catch (err) {
    state = "failed";
    updateStatus();
    output.appendLine(`[error] parity-lsp did not start: ${err}`);
    void vscode.window.showErrorMessage(`parity-lsp did not start: ${err}`, "Show output").then((choice) => {
      if (choice) output.show();
    });
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop();
    } catch (err) {
      output.appendLine(`[warn] stopping the server: ${err}`);
    }
  }
  state = "stopped";
  updateStatus();
}

async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage("parity-lsp: open a matrix first");
    return;
  }
  const doc = editor.document;
  const range = new vscode.Range(0, 0, doc.lineCount, 0);
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    "vscode.executeCodeActionProvider",
    doc.uri,
    range,
    FIX_ALL_KIND,
  );
  const action = pickFixAll((actions ?? []).filter((a): a is vscode.CodeAction => typeof (a as vscode.Command).command !== "string"));
  if (!action) {
    void vscode.window.showInformationMessage("parity-lsp: no safe fixes in this file");
    return;
  }
  if (action.edit) await vscode.workspace.applyEdit(action.edit);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

async function openLocation(href: string): Promise<void> {
  const { uri, line } = parseLocation(href);
  const position = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(vscode.Uri.parse(uri), {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(position, position),
  });
}

async function openReport(): Promise<void> {
  if (!client || state !== "running") {
    void vscode.window.showWarningMessage("parity-lsp: the server is not running");
    return;
  }
  let html: string;
  try {
    const result = await client.sendRequest(ExecuteCommandRequest.type, { command: REPORT_COMMAND, arguments: [{ format: "html" }] });
    html = reportHtml(result);
  } catch (err) {
    void vscode.window.showErrorMessage(`parity-lsp: the report failed: ${err instanceof Error ? err.message : err}`);
    return;
  }
  if (!reportPanel) {
    reportPanel = vscode.window.createWebviewPanel("parityLsp.report", "Parity report", vscode.ViewColumn.Beside, {
      // the report's own CSP allows only its hashed inline script (filters, sorting); a page
      // without a CSP gets one that allows no script (withCsp)
      enableScripts: true,
      enableCommandUris: [OPEN_LOCATION_COMMAND],
      enableFindWidget: true,
      localResourceRoots: [],
    });
    reportPanel.onDidDispose(() => (reportPanel = undefined));
  }
  reportPanel.webview.html = rewriteFileLinks(withCsp(html, reportPanel.webview.cspSource));
  reportPanel.reveal(undefined, true);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("parity-lsp");
  statusBar = vscode.window.createStatusBarItem("parityLsp.status", vscode.StatusBarAlignment.Left, 50);
  statusBar.name = "parity-lsp";
  context.subscriptions.push(
    output,
    statusBar,
    vscode.commands.registerCommand("parityLsp.restartServer", async () => {
      await stopClient();
      await startClient(context);
    }),
    vscode.commands.registerCommand("parityLsp.showOutput", () => output.show()),
    vscode.commands.registerCommand("parityLsp.fixAll", fixAll),
    vscode.commands.registerCommand("parityLsp.openReport", openReport),
    vscode.commands.registerCommand(OPEN_LOCATION_COMMAND, openLocation),
    vscode.languages.onDidChangeDiagnostics(() => updateStatus()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (needsRestart((s) => e.affectsConfiguration(s))) {
        output.appendLine("[info] launch settings changed: restarting the server");
        await stopClient();
        await startClient(context);
      }
    }),
  );
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
