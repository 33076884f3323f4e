// Unit tests of the launch/config logic (no VS Code, no server).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  Host,
  LaunchError,
  NOT_FOUND,
  StatusModel,
  configurationResult,
  countProblems,
  engineSettings,
  expandPath,
  needsRestart,
  parseLocation,
  pickFixAll,
  reportHtml,
  resolveServerCommand,
  rewriteFileLinks,
  serverFailure,
  withCsp,
} from "../src/launch";

function host(files: string[], over: Partial<Host> = {}): Host {
  const set = new Set(files);
  return {
    platform: "linux",
    env: { PATH: "/usr/local/bin:/usr/bin", HOME: "/home/me" },
    homeDir: "/home/me",
    workspaceFolder: "/ws",
    isExecutable: (p) => set.has(p),
    ...over,
  };
}

test("PATH: parity-lsp found on PATH, `serve --stdio` plus extra args, cwd is the folder", () => {
  const cmd = resolveServerCommand({ args: ["--tcp-ignored"] }, host(["/usr/bin/parity-lsp"]));
  assert.equal(cmd.command, "/usr/bin/parity-lsp");
  assert.deepEqual(cmd.args, ["serve", "--stdio", "--tcp-ignored"]);
  assert.equal(cmd.options.cwd, "/ws");
  assert.equal(cmd.source, "PATH");
  assert.equal(cmd.options.env.PATH, "/usr/local/bin:/usr/bin");
  assert.equal(cmd.options.env.PYTHONUNBUFFERED, "1");
});

test("the first PATH entry wins", () => {
  const cmd = resolveServerCommand({}, host(["/usr/bin/parity-lsp", "/usr/local/bin/parity-lsp"]));
  assert.equal(cmd.command, "/usr/local/bin/parity-lsp");
});

test("workspace .venv beats PATH, and .venv beats venv", () => {
  const files = ["/usr/bin/parity-lsp", "/ws/venv/bin/parity-lsp", "/ws/.venv/bin/parity-lsp"];
  const cmd = resolveServerCommand({}, host(files));
  assert.equal(cmd.command, "/ws/.venv/bin/parity-lsp");
  assert.equal(cmd.source, "workspace virtualenv");
  assert.equal(resolveServerCommand({}, host(files.slice(0, 2))).command, "/ws/venv/bin/parity-lsp");
});

test("parityLsp.path beats everything; ~, ${workspaceFolder}, ${env:X} and relative paths expand", () => {
  const files = ["/ws/.venv/bin/parity-lsp", "/home/me/bin/parity-lsp", "/ws/tools/parity-lsp", "/opt/pl/parity-lsp"];
  const h = host(files, { env: { PATH: "/usr/bin", PL: "/opt/pl" } });
  assert.equal(resolveServerCommand({ path: "~/bin/parity-lsp" }, h).command, "/home/me/bin/parity-lsp");
  assert.equal(resolveServerCommand({ path: "${workspaceFolder}/tools/parity-lsp" }, h).command, "/ws/tools/parity-lsp");
  assert.equal(resolveServerCommand({ path: "tools/parity-lsp" }, h).command, "/ws/tools/parity-lsp");
  assert.equal(resolveServerCommand({ path: "${env:PL}/parity-lsp" }, h).command, "/opt/pl/parity-lsp");
  const cmd = resolveServerCommand({ path: "/opt/pl/parity-lsp", interpreter: "/usr/bin/python3" }, h);
  assert.equal(cmd.source, "parityLsp.path");
  assert.deepEqual(cmd.args, ["serve", "--stdio"]);
});

test("a bare parityLsp.path name is looked up on PATH", () => {
  const h = host(["/usr/bin/my-parity"]);
  assert.equal(resolveServerCommand({ path: "my-parity" }, h).command, "/usr/bin/my-parity");
});

test("parityLsp.interpreter runs `-m parity_lsp serve --stdio`", () => {
  const cmd = resolveServerCommand({ interpreter: "/ws/.venv/bin/python", args: ["-v"] }, host(["/ws/.venv/bin/python", "/usr/bin/parity-lsp"]));
  assert.equal(cmd.command, "/ws/.venv/bin/python");
  assert.deepEqual(cmd.args, ["-m", "parity_lsp", "serve", "--stdio", "-v"]);
  assert.equal(cmd.source, "parityLsp.interpreter");
});

test("blank settings are unset", () => {
  const cmd = resolveServerCommand({ path: "  ", interpreter: "", args: null }, host(["/usr/bin/parity-lsp"]));
  assert.equal(cmd.source, "PATH");
  assert.deepEqual(cmd.args, ["serve", "--stdio"]);
});

test("clear errors: missing executable, nothing found, ${workspaceFolder} without a folder", () => {
  assert.throws(() => resolveServerCommand({ path: "/nope/parity-lsp" }, host([])), (e: Error) =>
    e instanceof LaunchError && e.message === "parityLsp.path `/nope/parity-lsp` is not an executable file");
  assert.throws(() => resolveServerCommand({ interpreter: "python9" }, host([])), /parityLsp.interpreter `python9` was not found on PATH/);
  assert.throws(() => resolveServerCommand({}, host([])), (e: Error) => e.message === NOT_FOUND);
  assert.throws(
    () => resolveServerCommand({ path: "${workspaceFolder}/x" }, host([], { workspaceFolder: undefined })),
    /no folder is open/,
  );
});

test("Windows: Scripts\\parity-lsp.exe in the venv, ; in PATH, .exe on PATH", () => {
  const win = (files: string[]) =>
    host(files, { platform: "win32", env: { Path: "C:\\Tools;C:\\Python\\Scripts" }, workspaceFolder: "C:\\ws", homeDir: "C:\\Users\\me" });
  assert.equal(resolveServerCommand({}, win(["C:\\ws\\.venv\\Scripts\\parity-lsp.exe"])).command, "C:\\ws\\.venv\\Scripts\\parity-lsp.exe");
  assert.equal(resolveServerCommand({}, win(["C:\\Python\\Scripts\\parity-lsp.exe"])).command, "C:\\Python\\Scripts\\parity-lsp.exe");
  assert.equal(expandPath("~\\bin\\p.exe", win([])), "C:\\Users\\me\\bin\\p.exe");
});

test("engineSettings keeps set engine keys only", () => {
  const section = {
    path: "/x", interpreter: "", args: [], trace: { server: "verbose" },
    select: ["PM3"], ignore: [], severity: { PM304: "error" }, include: [], changedSince: "",
    exceptionIdPattern: "EX-\\d+", maxFileBytes: 10, proofLevelGlobs: { e2e: ["**/e2e/**"] }, bogus: 1,
  };
  assert.deepEqual(engineSettings(section), {
    exceptionIdPattern: "EX-\\d+", proofLevelGlobs: { e2e: ["**/e2e/**"] }, severity: { PM304: "error" },
    select: ["PM3"], maxFileBytes: 10,
  });
  assert.deepEqual(engineSettings(null), {});
  // 0 is a value (unlike "", [] and {}): the server judges it
  assert.deepEqual(engineSettings({ maxFileBytes: 0, select: ["  "] }), { maxFileBytes: 0, select: ["  "] });
  assert.deepEqual(engineSettings([1]), {});
});

test("configurationResult filters only the parityLsp section", () => {
  const out = configurationResult(
    [{ section: "parityLsp" }, { section: "editor" }],
    [{ select: ["PM1"], path: "/p", include: null }, { tabSize: 4 }],
  );
  assert.deepEqual(out, [{ select: ["PM1"] }, { tabSize: 4 }]);
});

test("needsRestart only for launch settings", () => {
  assert.equal(needsRestart((s) => s === "parityLsp.path"), true);
  assert.equal(needsRestart((s) => s === "parityLsp.args"), true);
  assert.equal(needsRestart((s) => s === "parityLsp.select"), false);
});

test("countProblems counts parity-lsp errors and warnings across files", () => {
  const E = 0, W = 1, I = 2;
  const entries: [string, { source?: string; severity: number }[]][] = [
    ["a.md", [{ source: "parity-lsp", severity: E }, { source: "parity-lsp", severity: W }, { source: "markdownlint", severity: E }]],
    ["b.md", [{ source: "parity-lsp", severity: E }, { source: "parity-lsp", severity: E }]],
    ["c.md", [{ source: "parity-lsp", severity: W }, { source: "parity-lsp", severity: I }]],
    ["d.md", [{ source: "parity-lsp", severity: I }]],
    ["e.md", []],
  ];
  assert.deepEqual(countProblems(entries, E, W), { errors: 3, warnings: 2, files: 3 });
});

const NONE = { errors: 0, warnings: 0, files: 0 };
const SOME = { errors: 10, warnings: 5, files: 1 };

test("status: checking… from the start until the first result, then errors and warnings", () => {
  const s = new StatusModel();
  s.starting();
  // no "no errors" before the server has answered: the counts are still empty then
  assert.equal(s.view(NONE).text, "$(sync~spin) parity: checking…");
  assert.equal(s.view(NONE).tooltip, "parity-lsp is starting");
  s.clientState("running");
  assert.equal(s.view(NONE).text, "$(sync~spin) parity: checking…");
  assert.equal(s.view(NONE).tooltip, "parity-lsp is checking the workspace's matrices");
  // a server that answers workspace pulls: a document's result is not the whole workspace
  s.documentPullStarted("m.md");
  assert.equal(s.result("document", true), false);
  assert.equal(s.documentPullEnded("m.md", false), false);
  assert.equal(s.view(NONE).text, "$(sync~spin) parity: checking…");
  // nor is the workspace's while an open document's pull is under way (or cancelled, to be
  // sent again): the client keeps the document's own result for it, which is not there yet
  s.documentPullStarted("m.md");
  s.documentPullStarted("n.md");
  assert.equal(s.result("workspace", true), false);
  assert.equal(s.documentPullEnded("m.md", true), false);
  assert.equal(s.documentPullEnded("n.md", false), false);
  assert.equal(s.view(NONE).text, "$(sync~spin) parity: checking…");
  s.documentPullStarted("m.md"); // the second try
  assert.equal(s.documentPullEnded("m.md", false), true);
  assert.equal(s.result("workspace", true), false); // only the first one counts
  s.documentPullStarted("m.md");
  assert.equal(s.documentPullEnded("m.md", false), false);
  const view = s.view(SOME);
  assert.equal(view.text, "parity $(error) 10 $(warning) 5");
  assert.equal(view.tooltip, "parity-lsp: 10 errors and 5 warnings in 1 file (click for the Problems panel)");
  assert.equal(view.command, "workbench.actions.view.problems");
  // warnings alone show (every line drift is one)
  assert.equal(s.view({ errors: 0, warnings: 1, files: 1 }).text, "parity $(error) 0 $(warning) 1");
  assert.match(s.view({ errors: 1, warnings: 0, files: 1 }).tooltip, /1 error and 0 warnings in 1 file/);
  assert.equal(s.view(NONE).text, "$(check) parity");
  // every restart checks again
  s.stopped();
  assert.equal(s.view(SOME).text, "$(circle-slash) parity-lsp: stopped");
  s.starting();
  s.clientState("running");
  assert.equal(s.view(SOME).text, "$(sync~spin) parity: checking…");
  // a cancelled pull that the client does not send again (its tab closed) is not waited for
  s.documentPullStarted("m.md");
  assert.equal(s.result("workspace", true), false);
  assert.equal(s.documentPullEnded("m.md", true), false);
  assert.equal(s.repullDropped("m.md"), true);
  s.starting();
  s.clientState("running");
  // a server that pushes: any result
  assert.equal(s.result("push", false), true);
  assert.equal(s.view(SOME).text, "parity $(error) 10 $(warning) 5");
  // the client restarts a crashed server: checking again
  s.clientState("starting");
  s.clientState("running");
  assert.equal(s.view(SOME).text, "$(sync~spin) parity: checking…");
});

test("status: a server that exits at start ends as failed to start, with its own message", () => {
  const s = new StatusModel();
  s.starting();
  // the client reports Stopped as soon as the connection closes, before start() rejects
  s.clientState("stopped");
  assert.equal(s.view(NONE).text, "$(sync~spin) parity: checking…");
  s.failed("parity-lsp: error: unrecognized arguments: --bogus");
  s.clientState("stopped"); // and again when it cleans up: failed stays
  const view = s.view(NONE);
  assert.equal(view.text, "$(error) parity-lsp: failed to start");
  assert.equal(view.tooltip, "parity-lsp failed to start: parity-lsp: error: unrecognized arguments: --bogus (click for the output)");
  assert.equal(view.command, "parityLsp.showOutput");
  assert.equal(s.result("workspace", true), true); // a late result does not hide the failure
  assert.equal(s.view(SOME).text, "$(error) parity-lsp: failed to start");
  // until the next start
  s.starting();
  assert.equal(s.failure, undefined);
  assert.equal(s.view(NONE).text, "$(sync~spin) parity: checking…");
});

test("serverFailure: the server's last stderr line, else how it exited", () => {
  const usage = "usage: parity-lsp [-h] [--version] COMMAND ...\nparity-lsp: error: unrecognized arguments: --bogus\n";
  assert.equal(serverFailure(usage, { code: 2, signal: null }), "parity-lsp: error: unrecognized arguments: --bogus");
  const traceback = 'Traceback (most recent call last):\r\n  File "x.py", line 1\r\nModuleNotFoundError: No module named \'pygls\'\r\n\r\n';
  assert.equal(serverFailure(traceback, { code: 1, signal: null }), "ModuleNotFoundError: No module named 'pygls'");
  assert.equal(serverFailure("", { code: 3, signal: null }), "the server exited with status 3");
  assert.equal(serverFailure("  \n", { code: null, signal: "SIGKILL" }), "the server was killed by SIGKILL");
  assert.equal(serverFailure("", undefined, new Error("Connection closed")), "Connection closed");
  assert.equal(serverFailure("", undefined), "the server stopped");
});

test("reportHtml takes {format, content} (or a string); withCsp keeps the report's own policy", () => {
  assert.equal(reportHtml("<p>x</p>"), "<p>x</p>");
  assert.equal(reportHtml({ format: "html", content: "<p>y</p>" }), "<p>y</p>");
  assert.throws(() => reportHtml({ format: "markdown", content: "# r" }), /returned markdown, not html/);
  assert.throws(() => reportHtml({ format: "html" }), /returned no HTML/);
  const page = withCsp("<html><head><title>r</title></head><body></body></html>", "vscode-resource:");
  assert.match(page, /^<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.doesNotMatch(page, /script-src/);
  assert.match(withCsp("<p>frag</p>", "x"), /<body><p>frag<\/p><\/body>/);
  const own = `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-x'"></head></html>`;
  assert.equal(withCsp(own, "x"), own);
});

test("report links: file: hrefs become command URIs of parityLsp.openLocation", () => {
  const html = `<a href="file:///ws/docs/m.md#L12">r</a> <a href='https://example.com'>e</a> <a href="file:///ws/a%20b.md">x</a>`;
  const out = rewriteFileLinks(html);
  const hrefs = [...out.matchAll(/href=["']([^"']*)["']/g)].map((m) => m[1]);
  assert.equal(hrefs[1], "https://example.com");
  for (const [href, want] of [[hrefs[0], "file:///ws/docs/m.md#L12"], [hrefs[2], "file:///ws/a%20b.md"]]) {
    assert.ok(href.startsWith("command:parityLsp.openLocation?"), href);
    assert.deepEqual(JSON.parse(decodeURIComponent(href.split("?")[1])), [want]);
  }
  assert.deepEqual(parseLocation("file:///ws/docs/m.md#L12"), { uri: "file:///ws/docs/m.md", line: 12 });
  assert.deepEqual(parseLocation("file:///ws/docs/m.md#L3-L7"), { uri: "file:///ws/docs/m.md", line: 3 });
  assert.deepEqual(parseLocation("file:///ws/m.md"), { uri: "file:///ws/m.md", line: 0 });
});

test("pickFixAll finds the source.fixAll.parityLsp action", () => {
  const actions = [
    { title: "Replace with `Implemented`", kind: { value: "quickfix" } },
    { title: "Fix all safe problems", kind: { value: "source.fixAll.parityLsp" }, edit: {} },
  ];
  assert.equal(pickFixAll(actions)?.title, "Fix all safe problems");
  assert.equal(pickFixAll([{ title: "x", kind: "source.fixAll.parityLsp" }])?.title, "x");
  assert.equal(pickFixAll([{ title: "x", kind: "source.fixAll.eslint" }]), undefined);
  assert.equal(pickFixAll(undefined), undefined);
});
