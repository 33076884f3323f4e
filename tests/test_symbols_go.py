"""Go symbol scanner: funcs, methods, types (grouped, fields), const/var, tests and skips."""

from __future__ import annotations

from textwrap import dedent

from parity_lsp.workspace.symbols import Definition, find_definitions, lookup


def defs(src: str, path: str = "internal/store/store_test.go") -> list[Definition]:
    out = find_definitions(path, dedent(src))
    assert out is not None
    return out


def one(ds: list[Definition], qualname: str, kind: str | None = None) -> Definition:
    found = [d for d in ds if d.qualname == qualname and (kind is None or d.kind == kind)]
    assert len(found) == 1, (qualname, [(d.qualname, d.kind) for d in ds])
    return found[0]


def test_funcs_methods_and_doc_comments():
    ds = defs(
        """\
        package store

        import (
        \t"context"
        \t"fmt"
        )

        // Open opens a store.
        // It never fails.
        func Open(path string) (*Store, error) {
        \treturn &Store{}, nil
        }

        // detached comment

        func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
        \treturn nil, nil
        }

        func (Store) Value() int { return 1 }

        func (l *List[T]) Push(v T) {}
        """
    )
    o = one(ds, "Open")
    assert (o.kind, o.line, o.start_line, o.end_line) == ("func", 9, 7, 11)
    assert o.signature == "func Open(path string) (*Store, error)"
    g = one(ds, "Store::Get")
    assert (g.kind, g.name, g.line, g.start_line, g.end_line) == ("method", "Get", 15, 15, 17)
    assert one(ds, "Store::Value").line == 19
    assert one(ds, "List::Push").kind == "method"
    assert lookup(ds, "Store.Get") == [g]
    assert lookup(ds, "(*Store).Get") == [g]
    assert lookup(ds, "store.Open") == [o]


def test_generics_and_result_types_with_braces():
    ds = defs(
        """\
        package x

        func Map[T any, U comparable](xs []T, f func(T) U) []U {
        \treturn nil
        }

        func Weird() interface{ M() } {
        \treturn nil
        }

        func Anon(x struct{ A int }) struct{} {
        \treturn struct{}{}
        }

        func NoBody(x int) int

        func After() {}
        """
    )
    m = one(ds, "Map")
    assert (m.line, m.end_line) == (2, 4)
    w = one(ds, "Weird")
    assert (w.line, w.end_line) == (6, 8)
    a = one(ds, "Anon")
    assert (a.line, a.end_line) == (10, 12)
    nb = one(ds, "NoBody")
    assert (nb.line, nb.end_line) == (14, 14)
    assert one(ds, "After").line == 16


def test_types_structs_fields_and_groups():
    ds = defs(
        """\
        package x

        // Server serves.
        type Server struct {
        \t// Addr is the address.
        \tAddr string `json:"addr,omitempty{"`
        \tA, B int
        \t*Embedded
        \tpkg.Other
        \tNested struct {
        \t\tX int
        \t}
        }

        type (
        \tID   int
        \t// Name is a name.
        \tName = string
        \tHandler interface {
        \t\tServe(w Writer, r *Request) error
        \t\tio.Closer
        \t}
        )

        type Pair[K comparable, V any] struct{ Key K; Val V }
        """
    )
    s = one(ds, "Server", "type")
    assert (s.line, s.start_line, s.end_line) == (3, 2, 12)
    assert s.signature == "type Server struct"
    addr = one(ds, "Server::Addr")
    assert (addr.kind, addr.line, addr.start_line) == ("field", 5, 4)
    assert one(ds, "Server::A").line == 6
    assert one(ds, "Server::B").line == 6
    assert one(ds, "Server::Embedded").line == 7
    assert one(ds, "Server::Other").line == 8
    n = one(ds, "Server::Nested")
    assert (n.line, n.end_line) == (9, 11)
    assert "X" not in [d.name for d in ds]
    assert one(ds, "ID").line == 15
    nm = one(ds, "Name")
    assert (nm.line, nm.start_line) == (17, 16)
    h = one(ds, "Handler")
    assert (h.line, h.end_line) == (18, 21)
    sv = one(ds, "Handler::Serve")
    assert (sv.kind, sv.line) == ("method", 19)
    assert one(ds, "Pair").line == 24
    assert one(ds, "Pair::Key").kind == "field"
    assert lookup(ds, "Server.Addr") == [addr]


def test_const_and_var_blocks():
    ds = defs(
        """\
        package x

        const Max = 10

        const (
        \tA = iota
        \tB
        \tC, D = 1, 2
        )

        var (
        \tx, y = 1, 2
        \tf    = func() {
        \t\tfmt.Println("}")
        \t}
        \t_ = 3
        )

        var Global int
        """
    )
    assert one(ds, "Max").kind == "const"
    assert [d.name for d in ds if d.kind == "const"] == ["Max", "A", "B", "C", "D"]
    assert one(ds, "B").line == 6
    f = one(ds, "f")
    assert (f.kind, f.line, f.end_line) == ("var", 12, 14)
    assert "_" not in [d.name for d in ds]
    assert one(ds, "Global").line == 18


def test_testing_funcs_and_skips():
    ds = defs(
        """\
        package x

        import "testing"

        func TestServer(t *testing.T) {
        \tt.Skip("flaky: see #12")
        \tt.Log("never")
        }

        func TestSkipNow(t *testing.T) {
        \t// comment first
        \tt.SkipNow()
        }

        func TestConditional(t *testing.T) {
        \tif testing.Short() {
        \t\tt.Skip()
        \t}
        }

        func TestSkipLater(t *testing.T) {
        \tsetup()
        \tt.Skip("later")
        }

        func BenchmarkGet(b *testing.B) {
        \tb.Skipf("no %s", "bench")
        }

        func FuzzParse(f *testing.F) {}
        func ExampleServer() {}
        func Example_second() {}
        func TestMain(m *testing.M) {}
        func Testify(t *testing.T) {}
        func helperTest(t *testing.T) {}
        func (s *Suite) TestMethod(t *testing.T) {}
        """
    )
    t = one(ds, "TestServer")
    assert t.is_test and t.disabled == 't.Skip("flaky: see #12")'
    assert (t.line, t.end_line) == (4, 7)
    assert one(ds, "TestSkipNow").disabled == "t.SkipNow()"
    assert one(ds, "TestConditional").disabled is None
    assert one(ds, "TestSkipLater").disabled is None
    assert one(ds, "BenchmarkGet").is_test
    assert one(ds, "BenchmarkGet").disabled is not None
    assert one(ds, "FuzzParse").is_test
    assert one(ds, "ExampleServer").is_test
    assert one(ds, "Example_second").is_test
    assert not one(ds, "TestMain").is_test
    assert not one(ds, "Testify").is_test
    assert not one(ds, "helperTest").is_test
    assert not one(ds, "Suite::TestMethod").is_test


def test_raw_strings_runes_and_comments_with_braces():
    ds = defs(
        """\
        package x

        /* a block comment with } and func fake() { */
        func Tricky() {
        \ts := `raw { string
        func notReal() {
        `
        \tr := '{'
        \tq := '\\''
        \tu := "}\\"{"
        \t// }
        }

        func Next() {}
        """
    )
    t = one(ds, "Tricky")
    assert (t.line, t.end_line) == (3, 11)
    assert "notReal" not in [d.name for d in ds]
    assert "fake" not in [d.name for d in ds]
    assert one(ds, "Next").line == 13


def test_directives_and_doc_directly_above_only():
    ds = defs(
        """\
        package x

        // Not the doc: a blank line follows.

        //go:noinline
        func Directive() {}

        var a = 1 // trailing comment, not a doc
        func AfterTrailing() {}
        """
    )
    d = one(ds, "Directive")
    assert (d.start_line, d.line) == (4, 5)
    a = one(ds, "AfterTrailing")
    assert (a.start_line, a.line) == (8, 8)


def test_garbage_never_raises():
    assert find_definitions("x.go", "func") == []
    assert find_definitions("x.go", "func (") == []
    assert find_definitions("x.go", "type ( A") is not None
    assert find_definitions("x.go", "func F() {\n  `unterminated") is not None
    assert find_definitions("x.go", "}}}}) func A() {}") is not None
    ds = find_definitions("x.go", "func Open() {\n\tx := 1\n")
    assert one(ds, "Open").end_line == 1
