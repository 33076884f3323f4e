/**
 * Launch and configuration logic of the extension, with no dependency on VS Code: every
 * function here is pure (or takes its IO as a parameter), so node:test covers it and the
 * end-to-end test starts the server through the very same `resolveServerCommand`.
 */

import * as fs from "node:fs";
import * as path from "node:path";

/** The configuration section, the language client id and the server's settings section. */
export const SECTION = "parityLsp";
/** `source` of the server's diagnostics. */
export const DIAGNOSTIC_SOURCE = "parity-lsp";
/** Code action kind of the server's "fix all" action. */
export const FIX_ALL_KIND = "source.fixAll.parityLsp";
/** Server command (workspace/executeCommand) that renders the report. */
export const REPORT_COMMAND = "parityLsp.showReport";

/** Settings only the extension reads; they are never sent to the server. */
export const EDITOR_KEYS = ["path", "interpreter", "args", "trace"] as const;

/** Engine settings (SPEC section 7, camelCase): sent as initializationOptions and on
 *  workspace/configuration. The server also accepts them kebab-cased. */
export const ENGINE_KEYS = [
  "include",
  "exclude",
  "requiredColumns",
  "columns",
  "statuses",
  "statusMeanings",
  "proofLevels",
  "exceptionsDoc",
  "exceptionIdPattern",
  "forbiddenEvidence",
  "proofLevelGlobs",
  "ownerPlaceholders",
  "severity",
  "select",
  "ignore",
  "maxFileBytes",
  "changedSince",
] as const;

export interface LaunchSettings {
  path?: string | null;
  interpreter?: string | null;
  args?: string[] | null;
}

export interface Host {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  homeDir: string;
  /** The first workspace folder's file system path, if any. */
  workspaceFolder?: string;
  /** True when `p` is a regular file this process may execute. */
  isExecutable(p: string): boolean;
}

export interface ServerCommand {
  command: string;
  args: string[];
  options: { cwd?: string; env: Record<string, string> };
  /** Which rule chose the command (shown in the output channel). */
  source: "parityLsp.path" | "parityLsp.interpreter" | "workspace virtualenv" | "PATH";
}

export class LaunchError extends Error {}

export const NOT_FOUND =
  "parity-lsp was not found: install it (`pipx install parity-lsp`, or `pip install parity-lsp` in the " +
  "workspace's .venv), or set `parityLsp.path` (the executable) or `parityLsp.interpreter` (a Python that has it).";

/** `fs`-backed executable check for the real host. */
export function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** Expands `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}`; a relative result is
 *  resolved against the workspace folder. Empty or blank values give `undefined`. */
export function expandPath(value: string | null | undefined, host: Host): string | undefined {
  if (value === undefined || value === null || value.trim() === "") return undefined;
  const p = pathApi(host.platform);
  let out = value.trim();
  out = out.replace(/\$\{userHome\}/g, host.homeDir);
  out = out.replace(/\$\{env:([^}]+)\}/g, (_, name: string) => host.env[name] ?? "");
  if (out.includes("${workspaceFolder}")) {
    if (!host.workspaceFolder) throw new LaunchError(`\`${value}\` uses \${workspaceFolder}, but no folder is open`);
    out = out.replace(/\$\{workspaceFolder\}/g, host.workspaceFolder);
  }
  if (out === "~" || out.startsWith("~/") || out.startsWith("~\\")) out = host.homeDir + out.slice(1);
  if (!p.isAbsolute(out) && (out.includes("/") || out.includes("\\"))) {
    if (!host.workspaceFolder) throw new LaunchError(`\`${value}\` is relative, but no folder is open`);
    out = p.resolve(host.workspaceFolder, out);
  }
  return out;
}

function executableNames(platform: NodeJS.Platform, name: string): string[] {
  return platform === "win32" ? [`${name}.exe`, `${name}.cmd`, `${name}.bat`, name] : [name];
}

/** `name` on PATH, like `which`. */
export function findOnPath(name: string, host: Host): string | undefined {
  const p = pathApi(host.platform);
  const sep = host.platform === "win32" ? ";" : ":";
  const pathVar = host.env.PATH ?? host.env.Path ?? "";
  for (const dir of pathVar.split(sep)) {
    if (!dir) continue;
    for (const exe of executableNames(host.platform, name)) {
      const candidate = p.join(dir, exe);
      if (host.isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** `parity-lsp` in the workspace's virtualenv (`.venv`, then `venv`). */
export function findInWorkspaceVenv(host: Host): string | undefined {
  if (!host.workspaceFolder) return undefined;
  const p = pathApi(host.platform);
  const binDir = host.platform === "win32" ? "Scripts" : "bin";
  for (const venv of [".venv", "venv"]) {
    for (const exe of executableNames(host.platform, "parity-lsp")) {
      const candidate = p.join(host.workspaceFolder, venv, binDir, exe);
      if (host.isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function resolveExecutable(value: string, setting: string, host: Host): string {
  const expanded = expandPath(value, host)!;
  const p = pathApi(host.platform);
  if (p.isAbsolute(expanded)) {
    if (!host.isExecutable(expanded)) throw new LaunchError(`${setting} \`${value}\` is not an executable file`);
    return expanded;
  }
  const found = findOnPath(expanded, host);
  if (!found) throw new LaunchError(`${setting} \`${value}\` was not found on PATH`);
  return found;
}

/**
 * How to start the server, in this order: `parityLsp.path`; `parityLsp.interpreter -m parity_lsp`;
 * the workspace's `.venv`/`venv`; `parity-lsp` on PATH. Throws `LaunchError` with a message
 * for the user when nothing fits.
 */
export function resolveServerCommand(settings: LaunchSettings, host: Host): ServerCommand {
  const extra = Array.isArray(settings.args) ? settings.args.filter((a) => typeof a === "string") : [];
  const serveArgs = ["serve", "--stdio", ...extra];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(host.env)) if (v !== undefined) env[k] = v;
  env.PYTHONUNBUFFERED = "1";
  const options = { cwd: host.workspaceFolder, env };

  if (settings.path && settings.path.trim()) {
    const command = resolveExecutable(settings.path, "parityLsp.path", host);
    return { command, args: serveArgs, options, source: "parityLsp.path" };
  }
  if (settings.interpreter && settings.interpreter.trim()) {
    const command = resolveExecutable(settings.interpreter, "parityLsp.interpreter", host);
    return { command, args: ["-m", "parity_lsp", ...serveArgs], options, source: "parityLsp.interpreter" };
  }
  const venv = findInWorkspaceVenv(host);
  if (venv) return { command: venv, args: serveArgs, options, source: "workspace virtualenv" };
  const onPath = findOnPath("parity-lsp", host);
  if (onPath) return { command: onPath, args: serveArgs, options, source: "PATH" };
  throw new LaunchError(NOT_FOUND);
}

/** True when a change of these settings needs a server restart (the engine ones do not). */
export function needsRestart(changed: (section: string) => boolean): boolean {
  return ["path", "interpreter", "args"].some((k) => changed(`${SECTION}.${k}`));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** True for a setting value that means "unset": the empty defaults of package.json (`""`, `[]`,
 *  `{}`), a blank string, `null` and `undefined`. */
export function isUnset(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/**
 * The engine settings to send to the server, from the `parityLsp` section as VS Code reports it
 * (nested objects; every key present, with its default when the user set nothing). Unset values
 * (`isUnset`: the defaults `""`, `[]` and `{}`, or `null`) are dropped, so the server keeps the
 * workspace's `.parity-lsp.toml` or its own default for them: an `include` left empty must not
 * mean "no files are matrices". Editor-only keys and anything unknown are dropped too (the
 * server would report an unknown key).
 */
export function engineSettings(section: unknown): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (section === null || typeof section !== "object" || Array.isArray(section)) return out;
  const raw = section as Record<string, unknown>;
  for (const key of ENGINE_KEYS) {
    const value = raw[key];
    if (isUnset(value)) continue;
    out[key] = JSON.parse(JSON.stringify(value)) as Json;
  }
  return out;
}

/** Answers a workspace/configuration request: our section gets `engineSettings`, others pass. */
export function configurationResult(items: { section?: string }[], results: unknown[]): unknown[] {
  return items.map((item, i) => (item.section === SECTION ? engineSettings(results[i]) : results[i]));
}

export interface DiagnosticLike {
  source?: string;
  severity: number;
}

export interface ProblemCounts {
  errors: number;
  warnings: number;
  /** Files with at least one parity-lsp error or warning. */
  files: number;
}

/** parity-lsp's errors and warnings across `vscode.languages.getDiagnostics()` (`[uri, diagnostics][]`). */
export function countProblems(
  entries: ReadonlyArray<readonly [unknown, ReadonlyArray<DiagnosticLike>]>,
  errorSeverity = 0,
  warningSeverity = 1,
): ProblemCounts {
  let errors = 0;
  let warnings = 0;
  let files = 0;
  for (const [, diagnostics] of entries) {
    let e = 0;
    let w = 0;
    for (const d of diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      if (d.severity === errorSeverity) e += 1;
      else if (d.severity === warningSeverity) w += 1;
    }
    errors += e;
    warnings += w;
    if (e || w) files += 1;
  }
  return { errors, warnings, files };
}

export type ServerState = "starting" | "running" | "stopped" | "failed";

/** Where a result came from: a workspace pull, a document pull, or a push. */
export type ResultKind = "workspace" | "document" | "push";

export interface StatusView {
  text: string;
  tooltip: string;
  /** The command a click runs. */
  command: string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The status bar item's state, fed with what the extension sees: a (re)start, the language
 * client's state changes, the start's outcome, diagnostics results. It shows "checking…" from
 * a (re)start until the first result (counts before that would be a false "no errors"), then
 * the errors and warnings; a start that failed stays "failed to start" with the server's own
 * message, whatever the client reports after it.
 */
export class StatusModel {
  state: ServerState = "stopped";
  /** The first diagnostics since the server (re)started have arrived. */
  checked = false;
  /** Why the last start failed, in the server's (or the launcher's) words. */
  failure: string | undefined;
  private resultSeen = false;
  /** Document → its pulls under way. */
  private readonly pulling = new Map<string, number>();
  /** Documents whose pull was cancelled: the client sends it again (for a visible document). */
  private readonly repulling = new Set<string>();

  /** The extension starts (or restarts) the server. */
  starting(): void {
    this.state = "starting";
    this.failure = undefined;
    this.uncheck();
  }

  private uncheck(): void {
    this.checked = false;
    this.resultSeen = false;
    this.pulling.clear();
    this.repulling.clear();
  }

  /** The language client's state changed. While a start is under way its outcome decides (a
   *  server that exits at once makes the client report Stopped first); a failed start stays
   *  failed; a client that restarts the server after a crash is checking again. */
  clientState(next: "starting" | "running" | "stopped"): void {
    if (this.state === "failed") return;
    if (next === "stopped" && this.state === "starting") return;
    if (next === "starting") this.uncheck();
    this.state = next;
  }

  /** The start failed (`message`: the server's own words, see `serverFailure`). */
  failed(message: string): void {
    this.state = "failed";
    this.failure = message;
  }

  /** The extension stopped the server (restart, deactivation). */
  stopped(): void {
    this.state = "stopped";
    this.failure = undefined;
  }

  /** A diagnostics result arrived. A server that answers workspace pulls has checked every
   *  matrix when the first one arrives (a document's result may come before it); any result
   *  counts for one that pushes. The client keeps an open document's own pull over the
   *  workspace's answer for it: the counts are complete when no document pull is under way
   *  (nor about to be sent again). Returns true when this makes the first result complete. */
  result(kind: ResultKind, workspacePull: boolean): boolean {
    if (kind === "workspace" || !workspacePull) this.resultSeen = true;
    return this.settle();
  }

  /** A pull of `document` was sent (a cancelled one's second try among them). */
  documentPullStarted(document: string): void {
    this.repulling.delete(document);
    this.pulling.set(document, (this.pulling.get(document) ?? 0) + 1);
  }

  /** A pull of `document` ended: answered, failed, or `cancelled` (then the client sends it
   *  again, unless the document is gone: see `repullDropped`). True as for `result`. */
  documentPullEnded(document: string, cancelled: boolean): boolean {
    const n = (this.pulling.get(document) ?? 1) - 1;
    if (n > 0) this.pulling.set(document, n);
    else this.pulling.delete(document);
    if (cancelled) this.repulling.add(document);
    return this.settle();
  }

  /** The client did not pull `document` again after a cancellation (its tab closed): stop
   *  waiting for it. True as for `result`. */
  repullDropped(document: string): boolean {
    this.repulling.delete(document);
    return this.settle();
  }

  private settle(): boolean {
    if (this.checked || !this.resultSeen || this.pulling.size > 0 || this.repulling.size > 0) return false;
    this.checked = true;
    return true;
  }

  view(counts: ProblemCounts): StatusView {
    const output = "parityLsp.showOutput";
    const problems = "workbench.actions.view.problems";
    if (this.state === "failed") {
      return {
        text: "$(error) parity-lsp: failed to start",
        tooltip: `parity-lsp failed to start: ${this.failure ?? "see the output"} (click for the output)`,
        command: output,
      };
    }
    if (this.state === "stopped") {
      return { text: "$(circle-slash) parity-lsp: stopped", tooltip: "parity-lsp is stopped (click for the output)", command: output };
    }
    if (this.state === "starting" || !this.checked) {
      return {
        text: "$(sync~spin) parity: checking…",
        tooltip: this.state === "starting" ? "parity-lsp is starting" : "parity-lsp is checking the workspace's matrices",
        command: output,
      };
    }
    const { errors, warnings, files } = counts;
    if (errors === 0 && warnings === 0) {
      return { text: "$(check) parity", tooltip: "parity-lsp: no errors or warnings in the workspace's matrices", command: problems };
    }
    return {
      text: `parity $(error) ${errors} $(warning) ${warnings}`,
      tooltip:
        `parity-lsp: ${plural(errors, "error")} and ${plural(warnings, "warning")} in ` +
        `${plural(files, "file")} (click for the Problems panel)`,
      command: problems,
    };
  }
}

/**
 * Why a server that was started is gone, in its own words: the last line it wrote to stderr
 * (a usage or configuration error is one line, a traceback ends with the exception), else how
 * it exited, else what the client said (`error`).
 */
export function serverFailure(
  stderr: string,
  exit: { code: number | null; signal: string | null } | undefined,
  error?: unknown,
): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (lines.length) return lines[lines.length - 1];
  if (exit && exit.code !== null) return `the server exited with status ${exit.code}`;
  if (exit && exit.signal) return `the server was killed by ${exit.signal}`;
  if (error instanceof Error && error.message) return error.message;
  return error === undefined ? "the server stopped" : String(error);
}

/** The HTML in the answer of `parityLsp.showReport`: `{format, content}` (or a bare string, or `{html}`). */
export function reportHtml(result: unknown): string {
  if (typeof result === "string") return result;
  if (result && typeof result === "object") {
    const r = result as Record<string, unknown>;
    if (typeof r.format === "string" && r.format !== "html") throw new Error(`${REPORT_COMMAND} returned ${r.format}, not html`);
    for (const key of ["content", "html"]) if (typeof r[key] === "string") return r[key] as string;
  }
  throw new Error(`${REPORT_COMMAND} returned no HTML`);
}

/**
 * The Content-Security-Policy of the report webview. A report that brings its own policy (the
 * server's pins its inline style and script by hash) keeps it; anything else gets one with no
 * scripts at all (inline styles and data: images only).
 */
export function withCsp(html: string, cspSource: string): string {
  if (/<meta[^>]+http-equiv=["']?Content-Security-Policy/i.test(html)) return html;
  const meta =
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; ` +
    `style-src ${cspSource} 'unsafe-inline'; img-src ${cspSource} data:; font-src ${cspSource};">`;
  const head = /<head[^>]*>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + meta + html.slice(head.index + head[0].length);
  return `<!DOCTYPE html><html><head>${meta}<meta charset="utf-8"></head><body>${html}</body></html>`;
}

/** Command behind the report's row links (a webview cannot open `file:` links itself). */
export const OPEN_LOCATION_COMMAND = "parityLsp.openLocation";

/** `file:///x.md#L12` → `{uri: "file:///x.md", line: 12}` (line 0 without a `#L` fragment). */
export function parseLocation(href: string): { uri: string; line: number } {
  const m = /^(.*?)#L(\d+)(?:-L?\d+)?$/.exec(href);
  return m ? { uri: m[1], line: Number(m[2]) } : { uri: href.replace(/#.*$/, ""), line: 0 };
}

function unescapeAttr(value: string): string {
  return value.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

/** Turns `href="file:…"` links into command URIs of `OPEN_LOCATION_COMMAND` (arguments: the file URI). */
export function rewriteFileLinks(html: string): string {
  return html.replace(/href=(["'])(file:[^"']*)\1/gi, (_, quote: string, href: string) => {
    const args = encodeURIComponent(JSON.stringify([unescapeAttr(href)]));
    return `href=${quote}command:${OPEN_LOCATION_COMMAND}?${args}${quote}`;
  });
}

export interface CodeActionLike {
  kind?: { value: string } | string;
  title: string;
  edit?: unknown;
  command?: unknown;
}

/** The server's fix-all action among the actions offered for a document. */
export function pickFixAll<T extends CodeActionLike>(actions: ReadonlyArray<T> | undefined): T | undefined {
  for (const a of actions ?? []) {
    const kind = typeof a.kind === "string" ? a.kind : a.kind?.value;
    if (kind === FIX_ALL_KIND || (kind && kind.startsWith(FIX_ALL_KIND + "."))) return a;
  }
  return undefined;
}

/** Documents the client serves: Markdown, CSV and TSV on disk (any language id for .csv/.tsv). */
export const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "markdown" },
  { scheme: "file", language: "csv" },
  { scheme: "file", language: "tsv" },
  { scheme: "file", pattern: "**/*.{csv,tsv}" },
];
