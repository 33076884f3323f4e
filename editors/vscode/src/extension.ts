/**
 * The parity-lsp VS Code extension: starts `parity-lsp serve --stdio` through
 * vscode-languageclient and adds four commands and a status bar item. All decisions (which
 * command to run, which settings to send, what to count and show) live in ./launch.ts.
 */

import { ChildProcess, spawn } from "node:child_process";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  ErrorHandler,
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
  ResultKind,
  StatusModel,
  configurationResult,
  countProblems,
  engineSettings,
  isExecutableFile,
  needsRestart,
  parseLocation,
  pickFixAll,
  reportHtml,
  resolveServerCommand,
  rewriteFileLinks,
  serverFailure,
  withCsp,
} from "./launch";

/**
 * The language client, quiet while the server starts: a server that exits at once would
 * otherwise end in the client's own notifications ("couldn't create connection to server",
 * "Pending response rejected since connection got disposed"), not in what the server said,
 * which `startClient` shows instead. Everything still goes to the output channel.
 */
class ParityClient extends LanguageClient {
  starting = true;
  /** The server process it started last. */
  proc: ServerProcess | undefined;

  override error(message: string, data?: unknown, showNotification: boolean | "force" = true): void {
    super.error(message, data, this.starting ? false : showNotification);
  }
}

/** The server process of one start: its stderr's tail and how it exited, for `serverFailure`. */
class ServerProcess {
  stderr = "";
  exit: { code: number | null; signal: string | null } | undefined;
  private readonly closed: Promise<void>;

  constructor(readonly proc: ChildProcess) {
    proc.stderr?.on("data", (d: Buffer | string) => {
      this.stderr = (this.stderr + d.toString()).slice(-8192);
    });
    proc.on("error", (err) => {
      this.stderr += `\n${err.message}`;
    });
    this.closed = new Promise((resolve) => {
      proc.on("close", (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
  }

  /** Waits (up to `ms`) until the process has exited and its stderr is read to the end. */
  async settled(ms: number): Promise<void> {
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, ms))]);
  }
}

let client: ParityClient | undefined;
/** Starts, stops and restarts run one after the other: a restart while the server is starting
 *  waits for the start to end instead of stopping a client halfway through it. */
let lifecycle: Promise<void> = Promise.resolve();
let output: vscode.OutputChannel;
let statusBar: vscode.StatusBarItem;
const status = new StatusModel();
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
  const counts = countProblems(
    vscode.languages.getDiagnostics(),
    vscode.DiagnosticSeverity.Error,
    vscode.DiagnosticSeverity.Warning,
  );
  const view = status.view(counts);
  statusBar.text = view.text;
  statusBar.tooltip = view.tooltip;
  statusBar.command = view.command;
  statusBar.show();
}

/** A diagnostics result from the server: the first one since the start ends "checking…". */
function resultArrived(c: LanguageClient, kind: ResultKind): void {
  if (client !== c) return;
  const provider = c.initializeResult?.capabilities.diagnosticProvider;
  const workspacePull = !!provider && typeof provider === "object" && provider.workspaceDiagnostics === true;
  // the client stores a pulled document's result after this middleware returns: count next turn
  if (status.result(kind, workspacePull)) setTimeout(updateStatus, 0);
}

/** Shows why the server did not start, once per start: in the status bar, the output and a
 *  notification, in the server's own words (its last stderr line) when it wrote any. */
async function startFailed(c: ParityClient, error?: unknown): Promise<void> {
  if (client !== c || status.failure !== undefined) return;
  const proc = c.proc;
  await proc?.settled(2000);
  if (client !== c || status.failure !== undefined) return;
  const message = serverFailure(proc?.stderr ?? "", proc?.exit, error);
  status.failed(message);
  updateStatus();
  output.appendLine(`[error] parity-lsp failed to start: ${message}`);
  void vscode.window.showErrorMessage(`parity-lsp failed to start: ${message}`, "Show output").then((choice) => {
    if (choice) output.show();
  });
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  status.starting();
  updateStatus();
  let server;
  try {
    server = resolveServerCommand(
      { path: cfg.get<string>("path"), interpreter: cfg.get<string>("interpreter"), args: cfg.get<string[]>("args") },
      { platform: process.platform, env: process.env, homeDir: os.homedir(), workspaceFolder: workspaceFolder(), isExecutable: isExecutableFile },
    );
  } catch (err) {
    const message = err instanceof LaunchError ? err.message : String(err);
    status.failed(message);
    updateStatus();
    output.appendLine(`[error] ${message}`);
    // not awaited: a restart (after the user fixed the setting) must not wait for this answer
    void vscode.window.showErrorMessage(`parity-lsp: ${message}`, "Open settings", "Show output").then((choice) => {
      if (choice === "Open settings") void vscode.commands.executeCommand("workbench.action.openSettings", SECTION);
      if (choice === "Show output") output.show();
    });
    return;
  }
  output.appendLine(`[info] starting ${server.command} ${server.args.join(" ")} (from ${server.source})`);

  // spawned here (as vscode-languageclient spawns an Executable) to keep what the server says
  // on stderr: the client copies it to the output channel, serverFailure reads its last line
  const serverOptions: ServerOptions = async () => {
    const proc = spawn(server.command, server.args, { cwd: server.options.cwd, env: server.options.env, stdio: "pipe" });
    c.proc = new ServerProcess(proc);
    return proc;
  };
  let c: ParityClient;
  let fallback: ErrorHandler | undefined;
  const errorHandler: ErrorHandler = {
    error: (error, message, count) => {
      if (c.starting) return { action: ErrorAction.Shutdown, handled: true };
      fallback ??= c.createDefaultErrorHandler();
      return fallback.error(error, message, count);
    },
    closed: async () => {
      if (c.starting) {
        // the server is gone before it ever ran: startFailed says why (no restart loop)
        void startFailed(c);
        return { action: CloseAction.DoNotRestart, handled: true };
      }
      fallback ??= c.createDefaultErrorHandler();
      const result = await fallback.closed();
      const proc = c.proc;
      if (result.action === CloseAction.DoNotRestart && proc) {
        await proc.settled(2000);
        const said = serverFailure(proc.stderr, proc.exit);
        return { ...result, message: `${result.message ?? "parity-lsp stopped."} The server said: ${said}` };
      }
      return result;
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: currentEngineSettings(),
    synchronize: { configurationSection: SECTION },
    errorHandler,
    initializationFailedHandler: () => false, // startFailed reports it (no retry, no second message)
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return configurationResult(params.items, result);
        },
      },
      provideWorkspaceDiagnostics: async (resultIds, token, reporter, next) => {
        const result = await next(resultIds, token, reporter);
        if (!token.isCancellationRequested) resultArrived(c, "workspace");
        return result;
      },
      provideDiagnostics: async (document, previousResultId, token, next) => {
        const key = ("uri" in document ? document.uri : document).toString();
        const mine = client === c;
        if (mine) status.documentPullStarted(key);
        try {
          const result = await next(document, previousResultId, token);
          // a cancelled pull answers an empty report, which the client would show until its next
          // pull (every parity-lsp count at 0, for up to a second): as a cancellation, the client
          // keeps what it has and pulls again
          if (token.isCancellationRequested) throw new vscode.CancellationError();
          if (result) resultArrived(c, "document");
          return result;
        } finally {
          if (mine && client === c) {
            if (status.documentPullEnded(key, token.isCancellationRequested)) setTimeout(updateStatus, 0);
            if (token.isCancellationRequested) {
              setTimeout(() => {
                if (client === c && status.repullDropped(key)) updateStatus();
              }, 1000);
            }
          }
        }
      },
      handleDiagnostics: (uri, diagnostics, next) => {
        next(uri, diagnostics);
        resultArrived(c, "push");
      },
    },
  };
  c = new ParityClient(SECTION, "parity-lsp", serverOptions, clientOptions);
  client = c;
  context.subscriptions.push(
    c.onDidChangeState((e) => {
      if (client !== c) return;
      if (e.newState === State.Starting) c.starting = true;
      if (e.newState === State.Running) c.starting = false;
      status.clientState(e.newState === State.Running ? "running" : e.newState === State.Starting ? "starting" : "stopped");
      updateStatus();
    }),
  );
  try {
    await c.start();
    c.starting = false;
  } catch (err) {
    await startFailed(c, err);
  }
}

/** Stops the server; the status bar says "stopped", or "checking…" at once for a restart (the
 *  client clears the diagnostics as it stops: no count of 0 meanwhile). */
async function stopClient(restarting = false): Promise<void> {
  const c = client;
  const proc = c?.proc;
  client = undefined;
  if (restarting) status.starting();
  else status.stopped();
  updateStatus();
  if (c) {
    try {
      if (c.state !== State.Stopped) await c.stop();
    } catch (err) {
      output.appendLine(`[warn] stopping the server: ${err}`);
    }
  }
  // a server that ignored shutdown/exit (or never got them) does not outlive its client
  if (proc && proc.exit === undefined) {
    await proc.settled(2000);
    if (proc.exit === undefined) proc.proc.kill();
  }
}

/** Runs `step` after every start, stop and restart asked for before it. */
function serially(step: () => Promise<void>): Promise<void> {
  const next = lifecycle.then(step, step);
  lifecycle = next.catch(() => undefined);
  return next;
}

function restart(context: vscode.ExtensionContext): Promise<void> {
  return serially(async () => {
    await stopClient(true);
    await startClient(context);
  });
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
  if (!client || status.state !== "running") {
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
    vscode.commands.registerCommand("parityLsp.restartServer", () => restart(context)),
    vscode.commands.registerCommand("parityLsp.showOutput", () => output.show()),
    vscode.commands.registerCommand("parityLsp.fixAll", fixAll),
    vscode.commands.registerCommand("parityLsp.openReport", openReport),
    vscode.commands.registerCommand(OPEN_LOCATION_COMMAND, openLocation),
    vscode.languages.onDidChangeDiagnostics(() => updateStatus()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (needsRestart((s) => e.affectsConfiguration(s))) {
        output.appendLine("[info] launch settings changed: restarting the server");
        await restart(context);
      }
    }),
  );
  await serially(() => startClient(context));
}

export async function deactivate(): Promise<void> {
  await serially(() => stopClient());
}
