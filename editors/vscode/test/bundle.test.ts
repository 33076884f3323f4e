// Smoke test of the esbuild bundle (dist/extension.js) against a stub `vscode` module: it loads,
// activation registers every command package.json contributes, a launch setting that points
// nowhere ends in one clear error message and a "failed to start" status bar item (no client is
// started), and a server that exits at once (the real vscode-languageclient starts it) ends in
// "failed to start" with the server's own message, not in the client's transport errors.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import Module from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

const EXT_ROOT = path.resolve(__dirname, "..", "..");
const BUNDLE = path.join(EXT_ROOT, "dist", "extension.js");
const PKG = JSON.parse(fs.readFileSync(path.join(EXT_ROOT, "package.json"), "utf8"));
const DEFAULTS: Record<string, unknown> = Object.fromEntries(
  Object.entries(PKG.contributes.configuration.properties as Record<string, { default: unknown }>).map(([k, v]) => [k, v.default]),
);

function stubVscode(settings: Record<string, unknown>) {
  const registered: string[] = [];
  const errors: string[] = [];
  const statusItems: { text: string; tooltip: string; command?: string }[] = [];
  const statusTexts: string[] = []; // every text the item showed, in order
  const outputText: string[] = [];
  const disposable = { dispose() {} };
  const event = () => disposable;
  class EventEmitter<T> {
    private listeners: ((e: T) => void)[] = [];
    event = (listener: (e: T) => void) => {
      this.listeners.push(listener);
      return disposable;
    };
    fire(e: T) {
      for (const l of this.listeners) l(e);
    }
    dispose() {}
  }
  class Disposable {
    static from() {
      return disposable;
    }
    constructor(private readonly fn?: () => void) {}
    dispose() {
      this.fn?.();
    }
  }
  const vscode = {
    EventEmitter,
    Disposable,
    version: "1.100.3",
    env: { appName: "stub", language: "en", machineId: "stub", sessionId: "stub" },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ViewColumn: { Beside: -2 },
    Range: class {},
    commands: {
      registerCommand: (id: string) => {
        registered.push(id);
        return disposable;
      },
      executeCommand: async () => undefined,
    },
    window: {
      createOutputChannel: () => ({
        append: (t: string) => outputText.push(t),
        appendLine: (t: string) => outputText.push(t + "\n"),
        show() {},
        dispose() {},
      }),
      createStatusBarItem: () => {
        let text = "";
        const item = {
          get text() {
            return text;
          },
          set text(t: string) {
            if (t !== text) statusTexts.push(t);
            text = t;
          },
          tooltip: "",
          command: undefined as string | undefined,
          name: "",
          show() {},
          dispose() {},
        };
        statusItems.push(item);
        return item;
      },
      showErrorMessage: async (message: string) => {
        errors.push(message);
        return undefined;
      },
      showInformationMessage: async () => undefined,
      showWarningMessage: async () => undefined,
    },
    languages: {
      getDiagnostics: () => [],
      onDidChangeDiagnostics: event,
      createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, forEach() {}, get: () => [], dispose() {} }),
    },
    workspace: {
      textDocuments: [],
      onDidOpenTextDocument: event,
      onDidChangeTextDocument: event,
      onDidCloseTextDocument: event,
      onDidSaveTextDocument: event,
      onWillSaveTextDocument: event,
      onDidChangeWorkspaceFolders: event,
      workspaceFolders: [{ uri: { scheme: "file", fsPath: EXT_ROOT, toString: () => `file://${EXT_ROOT}` }, name: "x", index: 0 }],
      // as VS Code: a key the user did not set has package.json's default
      getConfiguration: () => ({ get: (key: string) => (key in settings ? settings[key] : DEFAULTS[`parityLsp.${key}`]) }),
      onDidChangeConfiguration: event,
    },
  };
  // vscode-languageclient subclasses many vscode classes at load time: anything not stubbed above
  // is an empty class
  const proxy = new Proxy(vscode as Record<string, unknown>, {
    get: (target, prop: string) => (prop in target ? target[prop] : class {}),
  });
  return { vscode: proxy, registered, errors, statusItems, statusTexts, outputText };
}

type Extension = { activate: (ctx: unknown) => Promise<void>; deactivate: () => Promise<void> };

/** Loads the bundle against `stub` (a fresh copy of the module), runs `body` with it. */
async function withBundle(stub: ReturnType<typeof stubVscode>, body: (ext: Extension) => Promise<void>): Promise<void> {
  assert.ok(fs.existsSync(BUNDLE), "dist/extension.js is built (npm run build)");
  const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = mod._load;
  mod._load = function (request: string, ...rest: unknown[]) {
    return request === "vscode" ? stub.vscode : original.call(this, request, ...rest);
  };
  try {
    delete require.cache[BUNDLE];
    await body(require(BUNDLE) as Extension);
  } finally {
    mod._load = original;
  }
}

test("the bundle activates with a stub vscode and reports a bad parityLsp.path clearly", async () => {
  const stub = stubVscode({ path: "/nonexistent/parity-lsp", args: [] });
  await withBundle(stub, async (ext) => {
    await ext.activate({ subscriptions: [] as unknown[] });
    const contributed = (PKG.contributes.commands as { command: string }[]).map((c) => c.command).sort();
    assert.deepEqual([...stub.registered].sort(), contributed);
    assert.deepEqual(stub.errors, ["parity-lsp: parityLsp.path `/nonexistent/parity-lsp` is not an executable file"]);
    assert.equal(stub.statusItems[0].text, "$(error) parity-lsp: failed to start");
    assert.match(stub.statusItems[0].tooltip, /failed to start: parityLsp.path `\/nonexistent\/parity-lsp` is not an executable file/);
    assert.equal(stub.statusItems[0].command, "parityLsp.showOutput");
    await ext.deactivate();
  });
});

test("a server that exits at start: failed to start, with the server's own message", async () => {
  // a stand-in for `parity-lsp serve --stdio --bogus`: argparse's two lines, exit status 2
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parity-lsp-bundle-"));
  const server = path.join(dir, "parity-lsp");
  fs.writeFileSync(
    server,
    "#!/bin/sh\necho 'usage: parity-lsp [-h] [--version] COMMAND ...' >&2\n" +
      "echo 'parity-lsp: error: unrecognized arguments: --bogus' >&2\nexit 2\n",
    { mode: 0o755 },
  );
  const stub = stubVscode({ path: server, args: ["--bogus"] });
  try {
    await withBundle(stub, async (ext) => {
      await ext.activate({ subscriptions: [] as unknown[] });
      const item = stub.statusItems[0];
      assert.equal(item.text, "$(error) parity-lsp: failed to start");
      assert.equal(item.tooltip, "parity-lsp failed to start: parity-lsp: error: unrecognized arguments: --bogus (click for the output)");
      // one notification, in the server's words: none of the client's transport errors
      assert.deepEqual(stub.errors, ["parity-lsp failed to start: parity-lsp: error: unrecognized arguments: --bogus"]);
      // "checking…" while it started, never "stopped" or a count
      assert.deepEqual(stub.statusTexts, ["$(sync~spin) parity: checking…", "$(error) parity-lsp: failed to start"]);
      // the output channel has all the server said
      assert.match(stub.outputText.join(""), /usage: parity-lsp/);
      await ext.deactivate();
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("package.json: commands, settings and activation", () => {
  const props = PKG.contributes.configuration.properties as Record<string, { default: unknown; type: unknown }>;
  for (const key of ["path", "interpreter", "args", "trace.server"]) assert.ok(`parityLsp.${key}` in props, key);
  // every engine setting is declared, unset by default (so the workspace file wins), with a plain
  // type the Settings UI can edit (a union with null shows only "Edit in settings.json"; a
  // nullable integer is the exception VS Code edits in an input box)
  const { ENGINE_KEYS, engineSettings, isUnset } = require("../src/launch") as {
    ENGINE_KEYS: string[];
    engineSettings: (s: unknown) => Record<string, unknown>;
    isUnset: (v: unknown) => boolean;
  };
  const defaults: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(props)) {
    const type = prop.type;
    if (name === "parityLsp.maxFileBytes") assert.deepEqual(type, ["integer", "null"]);
    else assert.equal(typeof type, "string", `${name}: ${JSON.stringify(type)}`);
  }
  for (const key of ENGINE_KEYS) {
    const prop = props[`parityLsp.${key}`];
    assert.ok(prop && isUnset(prop.default), key);
    defaults[key] = prop.default;
  }
  for (const key of ["path", "interpreter"]) assert.equal(props[`parityLsp.${key}`].default, "");
  // the section as VS Code reports it when the user set nothing sends nothing to the server
  assert.deepEqual(engineSettings(defaults), {});
  assert.equal(PKG.main, "./dist/extension.js");
  assert.ok(PKG.activationEvents.includes("workspaceContains:.parity-lsp.toml"));
  assert.match(PKG.engines.vscode, /^\^1\.82/);
});
