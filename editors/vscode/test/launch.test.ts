// Unit tests of the launch/config logic (no VS Code, no server).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  Host,
  LaunchError,
  NOT_FOUND,
  configurationResult,
  countErrors,
  engineSettings,
  expandPath,
  needsRestart,
  parseLocation,
  pickFixAll,
  reportHtml,
  resolveServerCommand,
  rewriteFileLinks,
  statusText,
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

test("countErrors counts parity-lsp errors across files", () => {
  const E = 0, W = 1;
  const entries: [string, { source?: string; severity: number }[]][] = [
    ["a.md", [{ source: "parity-lsp", severity: E }, { source: "parity-lsp", severity: W }, { source: "markdownlint", severity: E }]],
    ["b.md", [{ source: "parity-lsp", severity: E }, { source: "parity-lsp", severity: E }]],
    ["c.md", []],
  ];
  assert.deepEqual(countErrors(entries, E), { errors: 3, files: 2 });
  assert.equal(statusText("running", 3, 2).text, "$(error) parity 3");
  assert.match(statusText("running", 1, 1).tooltip, /1 error in 1 file/);
  assert.equal(statusText("running", 0, 0).text, "$(check) parity");
  assert.match(statusText("failed", 0, 0).tooltip, /failed/);
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
