"""Configuration: file formats, validation with lines, editor settings overlay, selection."""

from pathlib import Path

from parity_lsp.config import Config, apply_settings, load_config
from parity_lsp.findings import Severity


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_without_a_file(tmp_path):
    config, problems, path = load_config(tmp_path)
    assert (config, problems, path) == (Config(), [], None)


def test_parity_lsp_toml(tmp_path):
    write(
        tmp_path,
        ".parity-lsp.toml",
        'statuses = ["Done", "Todo"]\nignore = ["PM103"]\n[severity]\nPM304 = "error"\nPM205 = "off"\n',
    )
    config, problems, _ = load_config(tmp_path)
    assert problems == []
    assert config.statuses == ("Done", "Todo")
    assert config.severity_for("PM304", Severity.WARNING) == Severity.ERROR
    assert not config.is_enabled("PM205") and not config.is_enabled("PM103") and config.is_enabled("PM301")


def test_pyproject_section_and_other_tables_ignored(tmp_path):
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname="x"\n[tool.ruff]\nline-length=1\n[tool.parity-lsp]\nexclude=["vendor/**"]\n',
    )
    config, problems, path = load_config(tmp_path)
    assert problems == [] and config.exclude == ("vendor/**",) and path.name == "pyproject.toml"


def test_pyproject_without_section_is_not_a_config(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname="x"\n')
    assert load_config(tmp_path)[2] is None


def test_bad_values_are_problems_with_lines_and_defaults_kept(tmp_path):
    write(
        tmp_path,
        ".parity-lsp.toml",
        'include = "docs/**"\nunknown-thing = 1\nstatuses = []\nexception-id-pattern = "EX-("\nselect = ["XX1"]\nmax-file-bytes = -3\n',
    )
    config, problems, _ = load_config(tmp_path)
    by_line = {p.line: p.message for p in problems}
    assert "unknown key `unknown-thing`" in by_line[1]
    assert "must not be empty" in by_line[2]
    assert "invalid regular expression" in by_line[3]
    assert "not a rule code" in by_line[4]
    assert "positive integer" in by_line[5]
    assert config.include == ("docs/**",)  # a single string is accepted as a list
    assert config.statuses == Config().statuses


def test_invalid_toml_reports_its_line(tmp_path):
    write(tmp_path, ".parity-lsp.toml", "a = 1\nb = [\n")
    _, problems, _ = load_config(tmp_path)
    assert len(problems) == 1 and problems[0].message.startswith("invalid TOML") and problems[0].line >= 1


def test_a_glob_gitignore_matching_refuses_is_a_config_error_not_a_crash(tmp_path):
    # found by the configuration fuzz: `include = "\\"` made `check` an internal error (exit 3)
    write(tmp_path, ".parity-lsp.toml", 'include = "\\\\"\nexclude = ["ok/**"]\n')
    config, problems, _ = load_config(tmp_path)
    assert [(p.line, p.message) for p in problems] == [
        (0, "`include`: invalid glob `\\`: Invalid git pattern: '\\\\'")
    ]
    assert config.include == Config().include and config.exclude == ("ok/**",)
    _, problems = apply_settings(Config(), {"exclude": ["\\"]}, "<settings>")
    assert [p.message.split(":")[0] for p in problems] == ["`exclude`"]


def test_editor_settings_overlay_camel_case():
    config, problems = apply_settings(
        Config(), {"requiredColumns": ["Capability", "Status"], "changedSince": "main"}, "<settings>"
    )
    assert problems == []
    assert config.required_columns == ("Capability", "Status") and config.changed_since == "main"


def test_select_prefixes():
    config, _ = apply_settings(Config(), {"select": ["PM3"], "ignore": ["PM304"]}, "<settings>")
    assert config.is_enabled("PM301") and not config.is_enabled("PM304") and not config.is_enabled("PM101")
