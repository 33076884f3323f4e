#!/usr/bin/env python3
"""Cost per cited file, per language scanner (issue 19: "scanning a 7,000-line Rust file for
one name must not cost more than reading it twice"; issue 17: tree-sitter against a hand
scanner).

For every registered language: a realistic generated file of ~7,000 lines (doc comments,
types with methods, nested test suites, disabled tests), scanned

- cold: in a fresh process, the first scan of the language (module imports, the grammar's
  load and query compilation for tree-sitter languages) — what the first cited file costs;
- warm: the median of later scans of the same text in that process;
- lookup: the first `SourceFile.lookup` of one name (the scan a check does for a row; Rust
  lexes the file and scans only the top-level items where the name occurs), against reading
  the file twice (a fresh `FileSystem.read_text`: stat, read, decode);
- another name: the lookup of a second name in the same file (a second row citing it; Rust
  reuses the file's lexing, the others scan it whole once).

With the `tree-sitter-rust` wheel installed (the test extras), the hand Rust scanner is also
compared with tree-sitter-rust's parse + a tags query on the same file.

`python benchmarks/scanner_bench.py` prints a Markdown table and writes
benchmarks/results/scanners.json. `make bench` runs it as its last step. Environment:
BENCH_SCANNER_LINES (7000), BENCH_SCANNER_ROUNDS (3 fresh processes per language),
BENCH_SCANNER_REPEAT (7 warm scans and lookups per process), BENCH_SCANNER_OUT (the JSON).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
LINES = int(os.environ.get("BENCH_SCANNER_LINES", "7000"))


# --- realistic files ------------------------------------------------------------------------------


def _rust(i: int) -> str:
    return f"""
/// A ledger of ticks, number {i}.
#[derive(Debug, Clone)]
pub struct Ledger{i} {{
    /// Entries by key.
    pub entries: Vec<(u64, String)>,
    pub limit: usize,
}}

impl Ledger{i} {{
    /// Records one tick.
    pub fn record(&mut self, key: u64, value: &str) -> Result<(), String> {{
        if self.entries.len() >= self.limit {{
            return Err(format!("full: {{}}", self.limit));
        }}
        self.entries.push((key, value.to_string()));
        Ok(())
    }}

    pub fn len(&self) -> usize {{
        self.entries.len()
    }}
}}

#[cfg(test)]
mod tests_{i} {{
    use super::*;

    #[test]
    fn records_a_tick() {{
        let mut l = Ledger{i} {{ entries: vec![], limit: 2 }};
        assert!(l.record(1, "a").is_ok());
    }}

    #[test]
    #[ignore = "slow"]
    fn fills_up_{i}() {{
        let mut l = Ledger{i} {{ entries: vec![], limit: 0 }};
        assert!(l.record(1, "a").is_err());
    }}
}}
"""


def _java(i: int) -> str:
    return f"""
/** Ledger tests, number {i}. */
class Ledger{i}Test {{
    private final Ledger ledger = new Ledger(2);

    @BeforeEach
    void setUp() {{
        ledger.clear();
    }}

    /** Records one tick. */
    @Test
    void recordsATick() {{
        ledger.record(1, "a");
        assertEquals(1, ledger.size());
    }}

    @Disabled("slow")
    @Test
    void fillsUp() {{
        for (int k = 0; k < 3; k++) {{
            ledger.record(k, "x" + k);
        }}
        assertThrows(IllegalStateException.class, () -> ledger.record(9, "y"));
    }}

    @Nested
    class WhenEmpty {{
        @ParameterizedTest
        @ValueSource(ints = {{1, 2, 3}})
        void hasNoEntries(int n) {{
            assertTrue(ledger.isEmpty());
        }}
    }}
}}
"""


def _kotlin(i: int) -> str:
    return f"""
/** Ledger tests, number {i}. */
class Ledger{i}Test {{
    private val ledger = Ledger(2)

    @Test
    fun `records a tick`() {{
        ledger.record(1, "a")
        assertEquals(1, ledger.size)
    }}

    @Disabled("slow")
    @Test
    fun fillsUp() {{
        for (k in 0 until 3) {{
            ledger.record(k, "x$k")
        }}
        assertFailsWith<IllegalStateException> {{ ledger.record(9, "y") }}
    }}

    @Nested
    inner class WhenEmpty {{
        @ParameterizedTest
        @ValueSource(ints = [1, 2, 3])
        fun hasNoEntries(n: Int) {{
            assertTrue(ledger.isEmpty())
        }}
    }}
}}
"""


def _swift(i: int) -> str:
    return f"""
/// Ledger tests, number {i}.
final class Ledger{i}Tests: XCTestCase {{
    var ledger = Ledger(limit: 2)

    override func setUp() {{
        ledger = Ledger(limit: 2)
    }}

    func testRecordsATick() throws {{
        try ledger.record(1, "a")
        XCTAssertEqual(ledger.count, 1)
    }}

    func testFillsUp() throws {{
        throw XCTSkip("slow")
    }}
}}

@Suite struct Ledger{i}Suite {{
    @Test("has no entries") func hasNoEntries() {{
        #expect(Ledger(limit: 1).isEmpty)
    }}

    @Test(.disabled("flaky")) func survivesRestart() async throws {{
        let l = Ledger(limit: 1)
        #expect(l.count == 0)
    }}
}}
"""


def _csharp(i: int) -> str:
    return f"""
/// <summary>Ledger tests, number {i}.</summary>
[TestFixture]
public class Ledger{i}Tests
{{
    private Ledger _ledger = new Ledger(2);

    [SetUp]
    public void SetUp() {{ _ledger.Clear(); }}

    [Test]
    public void RecordsATick()
    {{
        _ledger.Record(1, "a");
        Assert.AreEqual(1, _ledger.Count);
    }}

    [Test, Ignore("slow")]
    public void FillsUp()
    {{
        for (var k = 0; k < 3; k++) {{ _ledger.Record(k, "x" + k); }}
        Assert.Throws<InvalidOperationException>(() => _ledger.Record(9, "y"));
    }}

    public class WhenEmpty
    {{
        [Theory]
        [InlineData(1)]
        public void HasNoEntries(int n) {{ Assert.True(new Ledger(n).IsEmpty); }}
    }}
}}
"""


def _cpp(i: int) -> str:
    return f"""
// Ledger tests, number {i}.
class Ledger{i}Test : public ::testing::Test {{
 protected:
  void SetUp() override {{ ledger_.Clear(); }}
  Ledger ledger_{{2}};
}};

TEST_F(Ledger{i}Test, RecordsATick) {{
  ledger_.Record(1, "a");
  EXPECT_EQ(ledger_.Size(), 1u);
}}

TEST_F(Ledger{i}Test, DISABLED_FillsUp) {{
  for (int k = 0; k < 3; ++k) {{
    ledger_.Record(k, "x");
  }}
  EXPECT_THROW(ledger_.Record(9, "y"), std::length_error);
}}

namespace ledger{i} {{
int Sum(const std::vector<int>& v) {{
  int s = 0;
  for (int x : v) s += x;
  return s;
}}
}}  // namespace ledger{i}

TEST_CASE("ledger {i} is empty at first", "[ledger]") {{
  REQUIRE(Ledger(1).Empty());
}}
"""


def _c(i: int) -> str:
    return f"""
/* A ledger, number {i}. */
struct ledger{i} {{
    int limit;
    int count;
}};

/* Records one tick. */
int ledger{i}_record(struct ledger{i} *l, int key) {{
    if (l->count >= l->limit) {{
        return -1;
    }}
    l->count++;
    return key;
}}

static int ledger{i}_size(const struct ledger{i} *l) {{
    return l->count;
}}
"""


def _ruby(i: int) -> str:
    return f"""
# Ledger specs, number {i}.
RSpec.describe Ledger{i} do
  let(:ledger) {{ described_class.new(2) }}

  describe "#record" do
    it "records a tick" do
      ledger.record(1, "a")
      expect(ledger.size).to eq(1)
    end

    xit "fills up" do
      3.times {{ |k| ledger.record(k, "x") }}
      expect {{ ledger.record(9, "y") }}.to raise_error(Ledger::Full)
    end
  end

  context "when empty" do
    it "has no entries" do
      expect(ledger).to be_empty
    end
  end
end

class Ledger{i}Test < Minitest::Test
  def test_records
    assert_equal 1, Ledger{i}.new(2).tap {{ |l| l.record(1, "a") }}.size
  end
end
"""


def _python(i: int) -> str:
    return f'''

class Ledger{i}:
    """A ledger, number {i}."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.entries: list[tuple[int, str]] = []

    def record(self, key: int, value: str) -> None:
        if len(self.entries) >= self.limit:
            raise ValueError("full")
        self.entries.append((key, value))


class TestLedger{i}:
    def test_records_a_tick(self):
        ledger = Ledger{i}(2)
        ledger.record(1, "a")
        assert len(ledger.entries) == 1

    @pytest.mark.skip(reason="slow")
    def test_fills_up(self):
        ledger = Ledger{i}(0)
        with pytest.raises(ValueError):
            ledger.record(1, "a")
'''


def _go(i: int) -> str:
    return f"""
// Ledger{i} is a ledger of ticks.
type Ledger{i} struct {{
	Limit   int
	Entries []string
}}

// Record records one tick.
func (l *Ledger{i}) Record(key int, value string) error {{
	if len(l.Entries) >= l.Limit {{
		return fmt.Errorf("full: %d", l.Limit)
	}}
	l.Entries = append(l.Entries, value)
	return nil
}}

func TestLedger{i}Records(t *testing.T) {{
	l := &Ledger{i}{{Limit: 2}}
	if err := l.Record(1, "a"); err != nil {{
		t.Fatal(err)
	}}
}}

func TestLedger{i}FillsUp(t *testing.T) {{
	t.Skip("slow")
}}
"""


def _typescript(i: int) -> str:
    return f"""
/** A ledger, number {i}. */
export class Ledger{i} {{
  private entries: Array<[number, string]> = [];
  constructor(private readonly limit: number) {{}}

  record(key: number, value: string): void {{
    if (this.entries.length >= this.limit) {{
      throw new Error(`full: ${{this.limit}}`);
    }}
    this.entries.push([key, value]);
  }}
}}

describe("Ledger{i}", () => {{
  it("records a tick", () => {{
    const l = new Ledger{i}(2);
    l.record(1, "a");
    expect(l).toBeDefined();
  }});

  it.skip("fills up", () => {{
    expect(() => new Ledger{i}(0).record(1, "a")).toThrow();
  }});
}});
"""


# (file, block generator, the name a row cites: in the middle block, {i} is its number)
GENERATORS = {
    "rust": ("src/ledger.rs", _rust, "tests_{i}::fills_up_{i}"),
    "python": ("tests/test_ledger.py", _python, "TestLedger{i}::test_fills_up"),
    "go": ("ledger_test.go", _go, "TestLedger{i}FillsUp"),
    "typescript": ("src/ledger.test.ts", _typescript, "Ledger{i}.record"),
    "javascript": ("src/ledger.test.js", _typescript, "Ledger{i}.record"),
    "swift": ("Tests/LedgerTests.swift", _swift, "Ledger{i}Tests.testFillsUp"),
    "java": ("src/test/java/LedgerTest.java", _java, "Ledger{i}Test.fillsUp"),
    "kotlin": ("src/test/kotlin/LedgerTest.kt", _kotlin, "Ledger{i}Test.fillsUp"),
    "csharp": ("tests/LedgerTests.cs", _csharp, "Ledger{i}Tests.FillsUp"),
    "c": ("src/ledger.c", _c, "ledger{i}_size"),
    "cpp": ("tests/ledger_test.cc", _cpp, "Ledger{i}Test.DISABLED_FillsUp"),
    "ruby": ("spec/ledger_spec.rb", _ruby, "Ledger{i}Test#test_records"),
}


def generate(lang: str) -> tuple[str, str, str]:
    """The file's text, the name looked up (one cited in the middle of the file), and another
    (a second row citing the same file)."""
    _, block, name = GENERATORS[lang]
    parts = []
    n = 0
    i = 0
    while n < LINES:
        b = block(i)
        parts.append(b)
        n += b.count("\n")
        i += 1
    return "".join(parts), name.format(i=i // 2), name.format(i=i // 3)


# --- one language, in a fresh process ---------------------------------------------------------------

CHILD = r"""
import json, statistics, sys, time
root, rel, name, second, repeat = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
from parity_lsp.workspace.symbols import rust
def forget():  # the Rust scanner keeps a text's lexing (for its next names): not for a cold lookup
    rust._lexed.cache_clear()
t0 = time.perf_counter()
from parity_lsp.workspace.fs import FileSystem
from parity_lsp.workspace.symbols import find_definitions
from parity_lsp.workspace.index import Workspace
text = FileSystem(root).read_text(rel).text
t1 = time.perf_counter()
defs = find_definitions(rel, text)
cold = time.perf_counter() - t1
warm = []
for _ in range(repeat):
    t = time.perf_counter(); find_definitions(rel, text); warm.append(time.perf_counter() - t)
reads, lookups, seconds = [], [], []
for _ in range(repeat):
    t = time.perf_counter(); FileSystem(root).read_text(rel); reads.append(time.perf_counter() - t)
    ws = Workspace(root)
    src = ws.source(rel)
    src.text  # read outside the timed part: the lookup itself is measured
    forget()
    t = time.perf_counter(); found = src.lookup(name); lookups.append(time.perf_counter() - t)
    t = time.perf_counter(); src.lookup(second); seconds.append(time.perf_counter() - t)
print(json.dumps({
    "definitions": len(defs or []), "understood": defs is not None, "found": bool(found),
    "cold_s": cold, "warm_s": statistics.median(warm), "read_s": statistics.median(reads),
    "lookup_s": statistics.median(lookups), "second_lookup_s": statistics.median(seconds),
    "bytes": len(text.encode()), "lines": text.count("\n"),
    "name": name,
}))
"""

TS_RUST = r"""
import json, statistics, sys, time
path, repeat = sys.argv[1], int(sys.argv[2])
src = open(path, "rb").read()
t0 = time.perf_counter()
import tree_sitter, tree_sitter_rust
lang = tree_sitter.Language(tree_sitter_rust.language())
parser = tree_sitter.Parser(lang)
query = tree_sitter.Query(lang, '''
(function_item name: (identifier) @name) @item.fn
(struct_item name: (type_identifier) @name) @item.struct
(impl_item type: (_) @name) @item.impl
(mod_item name: (identifier) @name) @item.mod
(field_declaration name: (field_identifier) @name) @item.field
''')
def scan():
    tree = parser.parse(src)
    found = tree_sitter.QueryCursor(query).matches(tree.root_node)
    return [(m[1]["name"][0].start_point.row, m[1]["name"][0].text) for m in found]
n = len(scan())
cold = time.perf_counter() - t0
warm = []
for _ in range(repeat):
    t = time.perf_counter(); scan(); warm.append(time.perf_counter() - t)
print(json.dumps({"cold_s": cold, "warm_s": statistics.median(warm), "items": n}))
"""


def run_child(code: str, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> int:
    repeat = int(os.environ.get("BENCH_SCANNER_REPEAT", "7"))
    rounds = int(os.environ.get("BENCH_SCANNER_ROUNDS", "3"))
    sys.path.insert(0, str(REPO))
    from parity_lsp import languages

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="parity-lsp-scanners-") as tmp:
        root = Path(tmp)
        (root / ".parity-lsp.toml").write_text("")
        for lang in languages.languages():
            if lang.id not in GENERATORS:
                continue
            rel = GENERATORS[lang.id][0]
            text, name, second = generate(lang.id)
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            runs = [run_child(CHILD, str(root), rel, name, second, str(repeat)) for _ in range(rounds)]
            ok = [r for r in runs if "error" not in r]
            if not ok:
                results[lang.id] = runs[0]
                continue
            best = {
                k: statistics.median(r[k] for r in ok)
                for k in ("cold_s", "warm_s", "read_s", "lookup_s", "second_lookup_s")
            }
            results[lang.id] = {**ok[0], **best}
        rust_file = root / GENERATORS["rust"][0]
        ts_runs = [run_child(TS_RUST, str(rust_file), str(repeat)) for _ in range(rounds)]
        ts_ok = [r for r in ts_runs if "error" not in r]
        ts = (
            {k: statistics.median(r[k] for r in ts_ok) for k in ("cold_s", "warm_s")}
            | {"items": ts_ok[0]["items"]}
            if ts_ok
            else None
        )
    print(
        "| language | lines | KB | definitions | cold µs/KB | warm µs/KB"
        " | lookup of one name ms | read ×2 ms | lookup / read ×2 | another name ms | another / read ×2 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for lang_id, r in results.items():
        if "error" in r:
            print(f"| {lang_id} | error: {r['error'].splitlines()[-1][:80]} |")
            continue
        kb = r["bytes"] / 1024
        print(
            f"| {lang_id} | {r['lines']} | {kb:.0f} | {r['definitions']} | {r['cold_s'] * 1e6 / kb:.0f}"
            f" | {r['warm_s'] * 1e6 / kb:.0f} | {r['lookup_s'] * 1e3:.2f}"
            f"{'' if r['found'] else ' (not found!)'}"
            f" | {2 * r['read_s'] * 1e3:.2f}"
            f" | {r['lookup_s'] / (2 * r['read_s']):.1f}×"
            f" | {r['second_lookup_s'] * 1e3:.2f} | {r['second_lookup_s'] / (2 * r['read_s']):.1f}× |"
        )
    if ts is not None:
        r = results["rust"]
        kb = r["bytes"] / 1024
        print()
        print("| Rust, same file | cold µs/KB | warm µs/KB | items |")
        print("|---|---|---|---|")
        for who, cold, warm, items in (
            ("hand scanner (`symbols/rust.py`)", r["cold_s"], r["warm_s"], r["definitions"]),
            ("tree-sitter-rust (parse + tags query)", ts["cold_s"], ts["warm_s"], ts["items"]),
        ):
            print(f"| {who} | {cold * 1e6 / kb:.0f} | {warm * 1e6 / kb:.0f} | {items} |")
    else:
        print("\n(tree-sitter-rust is not installed: `pip install tree-sitter-rust` for the comparison)")
    out = Path(os.environ.get("BENCH_SCANNER_OUT") or RESULTS / "scanners.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"languages": results, "tree_sitter_rust": ts}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
