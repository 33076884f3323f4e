// Smoke test of the esbuild bundle (dist/extension.js) against a stub `vscode` module: it loads,
// activation registers every command package.json contributes, and a launch setting that points
// nowhere ends in one clear error message and a "failed" status bar item (no client is started).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import Module from "node:module";
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
  const disposable = { dispose() {} };
  const event = () => disposable;
  const vscode = {
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
      createOutputChannel: () => ({ appendLine() {}, show() {}, dispose() {} }),
      createStatusBarItem: () => {
        const item = { text: "", tooltip: "", command: undefined as string | undefined, name: "", show() {}, dispose() {} };
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
    languages: { getDiagnostics: () => [], onDidChangeDiagnostics: event },
    workspace: {
      workspaceFolders: [{ uri: { scheme: "file", fsPath: EXT_ROOT } }],
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
  return { vscode: proxy, registered, errors, statusItems };
}

test("the bundle activates with a stub vscode and reports a bad parityLsp.path clearly", async () => {
  assert.ok(fs.existsSync(BUNDLE), "dist/extension.js is built (npm run build)");
  const stub = stubVscode({ path: "/nonexistent/parity-lsp", args: [] });
  const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = mod._load;
  mod._load = function (request: string, ...rest: unknown[]) {
    return request === "vscode" ? stub.vscode : original.call(this, request, ...rest);
  };
  try {
    delete require.cache[BUNDLE];
    const ext = require(BUNDLE) as { activate: (ctx: unknown) => Promise<void>; deactivate: () => Promise<void> };
    const context = { subscriptions: [] as unknown[] };
    await ext.activate(context);
    const contributed = (PKG.contributes.commands as { command: string }[]).map((c) => c.command).sort();
    assert.deepEqual([...stub.registered].sort(), contributed);
    assert.deepEqual(stub.errors, ["parity-lsp: parityLsp.path `/nonexistent/parity-lsp` is not an executable file"]);
    assert.equal(stub.statusItems[0].text, "$(error) parity-lsp");
    assert.equal(stub.statusItems[0].command, "parityLsp.showOutput");
    await ext.deactivate();
  } finally {
    mod._load = original;
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
