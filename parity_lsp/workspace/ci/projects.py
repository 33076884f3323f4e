"""Project models that decide what a test command can reach: Cargo workspaces and targets,
pytest configuration (rootdir, testpaths, python_files, addopts), Go modules and packages.

Invariant: reads only through a `FileSystem`; never raises on bad input — a manifest or
config that cannot be read gives a model with `error` set. All paths are workspace-relative.
"""

from __future__ import annotations

import configparser
import fnmatch
import functools
import re
import shlex
import tomllib
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from parity_lsp.workspace.fs import FileSystem, memoized, normalize_rel


def parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def join(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


def is_under(path: str, directory: str) -> bool:
    return not directory or path == directory or path.startswith(directory.rstrip("/") + "/")


def list_dir(fs: FileSystem, rel: str) -> list[tuple[str, bool]]:
    """`fs.list_dir` that answers [] for a path escaping the workspace instead of raising."""
    norm = normalize_rel(rel)
    return [] if norm is None else fs.list_dir(norm)


def ancestors(directory: str) -> list[str]:
    """`a/b` → ['a/b', 'a', '']."""
    out = []
    d = directory
    while True:
        out.append(d)
        if not d:
            return out
        d = parent(d)


# --- TOML with a per-version cache ----------------------------------------------------------

TomlTable = dict[str, Any]  # as `tomllib` parses it: values are whatever the file holds

_toml_cache: weakref.WeakKeyDictionary[FileSystem, dict[str, tuple[object, TomlTable | None, str | None]]] = (
    weakref.WeakKeyDictionary()
)


def read_toml(fs: FileSystem, rel: str) -> tuple[TomlTable | None, str | None]:
    """(data, None) or (None, why). Cached by content version (checked with a stat)."""
    hit = _toml_cache.get(fs, {}).get(rel)
    if hit is not None and hit[0] is not None and hit[0] == fs.version(rel):
        return hit[1], hit[2]
    read = fs.read_text(rel)
    if read.text is None:
        return None, f"`{rel}` {read.error or 'cannot be read'}"
    per_fs = _toml_cache.setdefault(fs, {})
    hit = per_fs.get(rel)
    if hit is not None and read.version is not None and hit[0] == read.version:
        return hit[1], hit[2]
    try:
        data, error = tomllib.loads(read.text), None
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        data, error = None, f"`{rel}` is not valid TOML: {exc}"
    if read.version is not None:
        per_fs[rel] = (read.version, data, error)
    return data, error


# --- Cargo ------------------------------------------------------------------------------------


@dataclass(slots=True)
class CargoTargetDef:
    kind: str  # "lib" | "bin" | "test" | "bench" | "example"
    name: str
    path: str  # workspace-relative crate root file
    test: bool = True  # `test = …`: tested by default / by --tests
    harness: bool = True  # libtest harness: filters and --skip are understood
    doctest: bool = True


@dataclass(slots=True)
class CargoPackage:
    name: str | None
    dir: str
    manifest: str
    autotests: bool = True
    workspace_key: str | None = None  # `package.workspace = "…"`
    error: str | None = None
    # Its targets, found on first use (listing `tests/`, `src/bin/`, ... of every member of a
    # 400-crate workspace took most of loading it, though a check may ask few packages).
    _targets: list[CargoTargetDef] | None = field(default=None, repr=False, compare=False)
    _discover: Callable[[], list[CargoTargetDef]] | None = field(default=None, repr=False, compare=False)
    # (target by root file, targets rooted in a `NAME/main.rs` of their own, longest path first):
    # every cited test file asks which target it is in
    _by_root: tuple[dict[str, CargoTargetDef], list[CargoTargetDef]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def targets(self) -> list[CargoTargetDef]:
        if self._targets is None:
            self._targets = self._discover() if self._discover is not None else []
            self._discover = None
        return self._targets

    def target_roots(self) -> tuple[dict[str, CargoTargetDef], list[CargoTargetDef]]:
        if self._by_root is None:
            targets = self.targets
            by_path: dict[str, CargoTargetDef] = {}
            for t in targets:
                by_path.setdefault(t.path, t)
            src = join(self.dir, "src")
            nested = [
                t
                for t in sorted(targets, key=lambda t: len(t.path), reverse=True)
                if t.path.endswith("/main.rs") and t.kind != "lib" and parent(t.path) != src
            ]
            self._by_root = (by_path, nested)
        return self._by_root

    @property
    def lib(self) -> CargoTargetDef | None:
        return next((t for t in self.targets if t.kind == "lib"), None)

    def of_kind(self, kind: str) -> list[CargoTargetDef]:
        return [t for t in self.targets if t.kind == kind]


@dataclass(slots=True)
class CargoWorkspace:
    root: str  # directory of the root manifest
    manifest: str
    members: list[CargoPackage] = field(default_factory=list)
    default_members: list[str] | None = None  # member directories
    virtual: bool = True  # the root manifest has no [package]
    exclude: list[str] = field(default_factory=list)
    error: str | None = None

    # (member count it was built from, member by name, member by directory): the first member
    # wins, as in a search of the list; rows of a 400-crate workspace ask per cited file
    _index: tuple[int, dict[str, CargoPackage], dict[str, CargoPackage]] | None = field(
        default=None, repr=False, compare=False
    )

    def _members_by(self) -> tuple[dict[str, CargoPackage], dict[str, CargoPackage]]:
        index = self._index
        if index is None or index[0] != len(self.members):
            by_name: dict[str, CargoPackage] = {}
            by_dir: dict[str, CargoPackage] = {}
            for p in self.members:
                if p.name is not None:
                    by_name.setdefault(p.name, p)
                by_dir.setdefault(p.dir, p)
            index = self._index = (len(self.members), by_name, by_dir)
        return index[1], index[2]

    def package(self, name: str) -> CargoPackage | None:
        return self._members_by()[0].get(name)

    def package_at(self, directory: str) -> CargoPackage | None:
        return self._members_by()[1].get(directory)

    def member_of(self, path: str) -> CargoPackage | None:
        """The member whose directory is the nearest one holding `path` (or is `path`)."""
        by_dir = self._members_by()[1]
        while True:
            found = by_dir.get(path)
            if found is not None or not path:
                return found
            path = parent(path)


@dataclass(slots=True)
class CargoTarget:
    """The Cargo test target a source file is compiled into."""

    package: str
    package_dir: str
    kind: str  # "lib" | "bin" | "test" | "bench" | "example"
    name: str
    path: str  # crate root of the target
    test: bool = True
    harness: bool = True
    module_path: list[str] = field(default_factory=list)  # module of the file inside the target
    workspace_root: str = ""


@dataclass(slots=True)
class CargoResolution:
    target: CargoTarget | None
    package: CargoPackage | None = None
    workspace: CargoWorkspace | None = None
    error: str | None = None  # broken manifest: the answer is unknown
    reason: str | None = None  # why the file is in no target (when target is None and no error)
    # Why there is no target: "outside" (no package), "not_built" (autotests off, …): no cargo
    # command compiles the file; "shared" (a module `mod`-included by other targets): unknown.
    kind: str | None = None


def _truthy(value: object, default: bool = True) -> bool:
    return value if isinstance(value, bool) else default


@memoized
def load_cargo_package(fs: FileSystem, directory: str) -> CargoPackage:
    """The package whose Cargo.toml is in `directory`; its targets (auto-discovered too) are found
    when first asked for."""
    manifest = join(directory, "Cargo.toml")
    data, error = read_toml(fs, manifest)
    if data is None:
        return CargoPackage(None, directory, manifest, error=error)
    pkg_table = data.get("package") if isinstance(data.get("package"), dict) else None
    if pkg_table is None:
        return CargoPackage(None, directory, manifest, error=f"`{manifest}` has no [package]")
    name = pkg_table.get("name") if isinstance(pkg_table.get("name"), str) else None
    pkg = CargoPackage(name, directory, manifest, autotests=_truthy(pkg_table.get("autotests")))
    ws = pkg_table.get("workspace")
    pkg.workspace_key = ws if isinstance(ws, str) else None
    # weakly: the package is memoized in `fs.memo`, and must not keep `fs` in a cycle
    pkg._discover = functools.partial(_cargo_targets, weakref.ref(fs), directory, name, data, pkg_table)
    return pkg


def _cargo_targets(
    fs_ref: weakref.ref[FileSystem], directory: str, name: str | None, data: TomlTable, pkg_table: TomlTable
) -> list[CargoTargetDef]:
    """A package's targets: the manifest's, then those Cargo discovers."""
    fs = fs_ref()
    if fs is None:
        return []
    targets: list[CargoTargetDef] = []
    crate = (name or "").replace("-", "_")
    src = join(directory, "src")

    # [lib]
    lib = data.get("lib") if isinstance(data.get("lib"), dict) else None
    lib_path = (
        join(directory, lib["path"]) if lib and isinstance(lib.get("path"), str) else join(src, "lib.rs")
    )
    if lib is not None or fs.is_file(lib_path):
        lib = lib or {}
        targets.append(
            CargoTargetDef(
                "lib",
                str(lib.get("name") or crate),
                lib_path,
                test=_truthy(lib.get("test")),
                harness=_truthy(lib.get("harness")),
                doctest=_truthy(lib.get("doctest")),
            )
        )

    explicit: dict[str, list[TomlTable]] = {}
    for kind in ("bin", "test", "bench", "example"):
        entries = data.get(kind)
        explicit[kind] = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
    auto = {
        "bin": _truthy(pkg_table.get("autobins")),
        "test": _truthy(pkg_table.get("autotests")),
        "bench": _truthy(pkg_table.get("autobenches")),
        "example": _truthy(pkg_table.get("autoexamples")),
    }
    dirs = {
        "test": join(directory, "tests"),
        "bench": join(directory, "benches"),
        "example": join(directory, "examples"),
        "bin": join(src, "bin"),
    }
    default_test = {"bin": True, "test": True, "bench": False, "example": False}

    for kind in ("bin", "test", "bench", "example"):
        seen_paths: set[str] = set()
        for entry in explicit[kind]:
            tname = entry.get("name")
            if not isinstance(tname, str):
                if kind == "bin" and name:
                    tname = name
                else:
                    continue
            if isinstance(entry.get("path"), str):
                tpath = join(directory, entry["path"])
            elif kind == "bin" and tname == name and fs.is_file(join(src, "main.rs")):
                tpath = join(src, "main.rs")
            else:
                tpath = join(dirs[kind], f"{tname}.rs")
                if not fs.is_file(tpath) and fs.is_file(join(dirs[kind], tname, "main.rs")):
                    tpath = join(dirs[kind], tname, "main.rs")
            seen_paths.add(tpath)
            targets.append(
                CargoTargetDef(
                    kind,
                    tname,
                    tpath,
                    test=_truthy(entry.get("test"), default_test[kind]),
                    harness=_truthy(entry.get("harness")),
                )
            )
        if not auto[kind]:
            continue
        discovered: list[tuple[str, str]] = []
        if kind == "bin" and name and fs.is_file(join(src, "main.rs")):
            discovered.append((name, join(src, "main.rs")))
        for entry_name, is_dir in list_dir(fs, dirs[kind]):
            if not is_dir and entry_name.endswith(".rs"):
                discovered.append((entry_name[:-3], join(dirs[kind], entry_name)))
            elif is_dir and fs.is_file(join(dirs[kind], entry_name, "main.rs")):
                discovered.append((entry_name, join(dirs[kind], entry_name, "main.rs")))
        names = {t.name for t in targets if t.kind == kind}
        for tname, tpath in discovered:
            if tpath in seen_paths or tname in names:
                continue
            targets.append(CargoTargetDef(kind, tname, tpath, test=default_test[kind]))
    return targets


def _expand_member(fs: FileSystem, root: str, pattern: str) -> list[str]:
    """Directories matched by a workspace member pattern (`crates/*`), relative to the workspace."""
    parts = [p for p in pattern.strip("/").split("/") if p not in ("", ".")]
    found = [root]
    for part in parts:
        nxt: list[str] = []
        for base in found:
            if part == "..":
                nxt.append(parent(base))
            elif any(ch in part for ch in "*?["):
                nxt.extend(
                    join(base, n)
                    for n, is_dir in list_dir(fs, base)
                    if is_dir and fnmatch.fnmatchcase(n, part)
                )
            else:
                nxt.append(join(base, part))
        found = nxt
    return [d for d in found if fs.is_file(join(d, "Cargo.toml"))]


@memoized
def load_cargo_workspace(fs: FileSystem, root: str) -> CargoWorkspace:
    """The workspace (or single package) whose root manifest is in `root`."""
    manifest = join(root, "Cargo.toml")
    data, error = read_toml(fs, manifest)
    if data is None:
        return CargoWorkspace(root, manifest, error=error)
    ws = CargoWorkspace(root, manifest, virtual="package" not in data)
    table = data.get("workspace") if isinstance(data.get("workspace"), dict) else None
    dirs: list[str] = []
    if not ws.virtual:
        dirs.append(root)
    if table is not None:
        exclude = table.get("exclude", [])
        ws.exclude = [
            join(root, e) for e in (exclude if isinstance(exclude, list) else []) if isinstance(e, str)
        ]
        for pattern in table.get("members", []) if isinstance(table.get("members"), list) else []:
            if isinstance(pattern, str):
                dirs.extend(_expand_member(fs, root, pattern))
        dm = table.get("default-members")
        if isinstance(dm, list):
            ws.default_members = [d for p in dm if isinstance(p, str) for d in _expand_member(fs, root, p)]
    seen: set[str] = set()
    for d in dirs:
        if d in seen or any(is_under(d, e) for e in ws.exclude):
            continue
        seen.add(d)
        ws.members.append(load_cargo_package(fs, d))
    return ws


@memoized
def find_cargo_workspace(fs: FileSystem, directory: str) -> CargoWorkspace | None:
    """The workspace that a `cargo` command run in `directory` (or a package there) belongs to."""
    package_dir = None
    for d in ancestors(directory):
        manifest = join(d, "Cargo.toml")
        if not fs.is_file(manifest):
            continue
        data, error = read_toml(fs, manifest)
        if data is None:
            return CargoWorkspace(d, manifest, error=error)
        if package_dir is None and "package" in data:
            package_dir = d
            ws_key = data["package"].get("workspace") if isinstance(data["package"], dict) else None
            if isinstance(ws_key, str):
                root = normalize_rel(join(d, ws_key))
                if root is not None:
                    return load_cargo_workspace(fs, root)
        if "workspace" in data:
            ws = load_cargo_workspace(fs, d)
            if ws.error or package_dir is None or ws.package_at(package_dir) is not None:
                return ws
            break  # the package is not a member of this workspace: it stands alone
    if package_dir is not None:
        return load_cargo_workspace(fs, package_dir)
    return None


@memoized
def resolve_cargo_file(fs: FileSystem, rel_path: str) -> CargoResolution:
    """Which package and test target a Rust source file belongs to."""
    path = normalize_rel(rel_path) or rel_path
    ws = find_cargo_workspace(fs, parent(path))
    if ws is None:
        return CargoResolution(None, reason=f"`{path}` is not inside a Cargo package", kind="outside")
    if ws.error:
        return CargoResolution(None, workspace=ws, error=ws.error)
    pkg = ws.member_of(path)
    if pkg is None:
        return CargoResolution(
            None,
            workspace=ws,
            reason=f"`{path}` is in no package of the workspace at `{ws.root or '.'}`",
            kind="outside",
        )
    if pkg.error:
        return CargoResolution(None, pkg, ws, error=pkg.error)
    target, reason, kind = _target_for(fs, pkg, path)
    if target is None:
        return CargoResolution(None, pkg, ws, reason=reason, kind=kind)
    return CargoResolution(
        CargoTarget(
            package=pkg.name or pkg.dir,
            package_dir=pkg.dir,
            kind=target.kind,
            name=target.name,
            path=target.path,
            test=target.test,
            harness=target.harness,
            module_path=_module_path(path, target.path),
            workspace_root=ws.root,
        ),
        pkg,
        ws,
    )


def cargo_target_for_file(fs: FileSystem, rel_path: str) -> CargoTarget | None:
    return resolve_cargo_file(fs, rel_path).target


def _target_for(
    fs: FileSystem, pkg: CargoPackage, path: str
) -> tuple[CargoTargetDef | None, str | None, str | None]:
    by_path, nested = pkg.target_roots()
    found = by_path.get(path)  # a target's own root file
    if found is not None:
        return found, None, None
    # A file in the directory of a `tests/NAME/main.rs`-style root belongs to that target.
    for t in nested:
        if is_under(path, parent(t.path)):
            return t, None, None
    src = join(pkg.dir, "src")
    if is_under(path, src):
        lib = pkg.lib
        if lib is not None and is_under(path, parent(lib.path)):
            return lib, None, None
        bins = pkg.of_kind("bin")
        main = next((b for b in bins if b.path == join(src, "main.rs")), None)
        if main is not None:
            return main, None, None
        if lib is not None:
            return lib, None, None
        return None, f"`{path}` is under `{src}` but the package has no library or binary target", "not_built"
    for kind, sub in (("test", "tests"), ("bench", "benches"), ("example", "examples")):
        if is_under(path, join(pkg.dir, sub)):
            if kind == "test" and not pkg.autotests and "/" not in path[len(join(pkg.dir, sub)) + 1 :]:
                return (
                    None,
                    (
                        f"`{path}` is not a test target: `{pkg.manifest}` sets `autotests = false`"
                        " and has no `[[test]]` for it"
                    ),
                    "not_built",
                )
            return None, f"`{path}` is a module shared by {sub}, not a target of its own", "shared"
    return None, f"`{path}` is in no target of package `{pkg.name}`", "not_built"


def _module_path(path: str, root: str) -> list[str]:
    """Module path of `path` inside the crate whose root file is `root` (`src/a/b.rs` → a::b)."""
    base = parent(root)
    if path == root or not is_under(path, base):
        return []
    rel = path[len(base) + 1 :] if base else path
    parts = rel[:-3].split("/") if rel.endswith(".rs") else rel.split("/")
    if parts and parts[-1] == "mod":
        parts.pop()
    return parts


# --- pytest -----------------------------------------------------------------------------------

DEFAULT_PYTHON_FILES = ["test_*.py", "*_test.py"]
DEFAULT_NORECURSE = ["*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}"]


@dataclass(slots=True)
class PytestConfig:
    rootdir: str
    inifile: str | None = None
    testpaths: list[str] = field(default_factory=list)
    python_files: list[str] = field(default_factory=lambda: list(DEFAULT_PYTHON_FILES))
    python_classes: list[str] = field(default_factory=lambda: ["Test"])
    python_functions: list[str] = field(default_factory=lambda: ["test"])
    norecursedirs: list[str] = field(default_factory=lambda: list(DEFAULT_NORECURSE))
    addopts: list[str] = field(default_factory=list)
    error: str | None = None


_INI_CANDIDATES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")


def _read_ini_section(fs: FileSystem, path: str) -> tuple[dict[str, object] | None, str | None]:
    """The pytest section of a config file: values, or None when the file has no section."""
    name = path.rsplit("/", 1)[-1]
    if name == "pyproject.toml":
        data, error = read_toml(fs, path)
        if data is None:
            return None, error
        tool = data.get("tool")
        pytest_table = tool.get("pytest") if isinstance(tool, dict) else None
        if not isinstance(pytest_table, dict):
            return None, None
        opts = pytest_table.get("ini_options")
        return (opts if isinstance(opts, dict) else pytest_table), None
    read = fs.read_text(path)
    if read.text is None:
        return None, f"`{path}` {read.error}"
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(read.text, source=path)
    except configparser.Error as exc:
        return None, f"`{path}` cannot be parsed: {' '.join(str(exc).split())}"
    section = {"setup.cfg": "tool:pytest"}.get(name, "pytest")
    if not parser.has_section(section):
        return ({} if name in ("pytest.ini", ".pytest.ini") else None), None
    return dict(parser.items(section)), None


def _as_list(value: object, split_shell: bool = False) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        if split_shell:
            try:
                return shlex.split(value)
            except ValueError:
                return value.split()
        return value.split()
    return []


def pytest_config(
    fs: FileSystem,
    cwd: str,
    args: list[str] | None = None,
    inifile: str | None = None,
    rootdir: str | None = None,
) -> PytestConfig:
    """pytest's rootdir and ini settings for a run in `cwd` with these path arguments."""
    args = args or []
    if inifile:
        ini = join(cwd, inifile)
        values, error = _read_ini_section(fs, ini)
        return _config_from((rootdir and join(cwd, rootdir)) or parent(ini), ini, values or {}, error)
    dirs = []
    for arg in args:
        p = normalize_rel(join(cwd, arg.split("::", 1)[0]))
        if p is not None and fs.exists(p):
            dirs.append(p if fs.is_dir(p) else parent(p))
    ancestor = _common_dir(dirs) if dirs else cwd
    for d in ancestors(ancestor):
        for name in _INI_CANDIDATES:
            path = join(d, name)
            if not fs.is_file(path):
                continue
            values, error = _read_ini_section(fs, path)
            if error:
                return _config_from((rootdir and join(cwd, rootdir)) or d, path, {}, error)
            if values is not None:
                return _config_from((rootdir and join(cwd, rootdir)) or d, path, values, None)
    for d in ancestors(ancestor):  # no config file: a setup.py marks the rootdir
        if fs.is_file(join(d, "setup.py")):
            return PytestConfig(rootdir=(rootdir and join(cwd, rootdir)) or d)
    return PytestConfig(rootdir=(rootdir and join(cwd, rootdir)) or ancestor)


def _config_from(root: str, ini: str, values: dict[str, object], error: str | None) -> PytestConfig:
    cfg = PytestConfig(rootdir=root, inifile=ini, error=error)
    if "testpaths" in values:
        cfg.testpaths = _as_list(values["testpaths"])
    for key in ("python_files", "python_classes", "python_functions", "norecursedirs"):
        if key in values:
            setattr(cfg, key, _as_list(values[key]))
    if "addopts" in values:
        cfg.addopts = _as_list(values["addopts"], split_shell=True)
    return cfg


def _common_dir(dirs: list[str]) -> str:
    parts = [d.split("/") if d else [] for d in dirs]
    common: list[str] = []
    for group in zip(*parts, strict=False):
        if all(g == group[0] for g in group):
            common.append(group[0])
        else:
            break
    return "/".join(common)


@memoized
def python_test_roots(fs: FileSystem, start: str = "") -> list[str]:
    """Directories pytest treats as test roots here: `testpaths` of the config, else conftest.py dirs."""
    cfg = pytest_config(fs, start)
    roots = [join(cfg.rootdir, t) for t in cfg.testpaths]
    if roots:
        return roots
    out = []
    for d in ancestors(start)[::-1] + _walk_dirs(fs, start, 4):
        if fs.is_file(join(d, "conftest.py")) and d not in out:
            out.append(d)
    return out


def _walk_dirs(fs: FileSystem, base: str, depth: int) -> list[str]:
    if depth == 0:
        return []
    out = []
    for name, is_dir in list_dir(fs, base):
        if is_dir and not name.startswith(".") and name not in ("node_modules", "target", "venv"):
            d = join(base, name)
            out.append(d)
            out.extend(_walk_dirs(fs, d, depth - 1))
    return out


# --- Go -------------------------------------------------------------------------------------


@dataclass(slots=True)
class GoModule:
    root: str  # directory of go.mod
    path: str | None  # module path
    error: str | None = None


@dataclass(slots=True)
class GoPackage:
    module: GoModule
    dir: str  # workspace-relative directory
    rel_dir: str  # relative to the module root ('' for the root package)
    import_path: str | None


_MODULE_LINE = re.compile(r"^\s*module\s+(\"[^\"]+\"|\S+)", re.M)


@memoized
def go_module_for_dir(fs: FileSystem, directory: str) -> GoModule | None:
    """The module whose go.mod is in `directory` or its nearest ancestor."""
    for d in ancestors(directory):
        mod = join(d, "go.mod")
        if not fs.is_file(mod):
            continue
        read = fs.read_text(mod)
        if read.text is None:
            return GoModule(d, None, error=f"`{mod}` {read.error}")
        m = _MODULE_LINE.search(read.text)
        if not m:
            return GoModule(d, None, error=f"`{mod}` has no `module` line")
        return GoModule(d, m.group(1).strip('"'))
    return None


def go_package_for_file(fs: FileSystem, rel_path: str) -> GoPackage | None:
    directory = parent(normalize_rel(rel_path) or rel_path)
    module = go_module_for_dir(fs, directory)
    if module is None:
        return None
    rel = directory[len(module.root) + 1 :] if module.root else directory
    if directory == module.root:
        rel = ""
    import_path = None
    if module.path:
        import_path = f"{module.path}/{rel}" if rel else module.path
    return GoPackage(module, directory, rel, import_path)
