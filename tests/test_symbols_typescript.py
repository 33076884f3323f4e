"""TypeScript / JavaScript symbol scanner: declarations, class members, test-runner calls, and
the lexical traps (templates, regex literals, comments, JSX)."""

from __future__ import annotations

from textwrap import dedent

from parity_lsp.workspace.symbols import Definition, find_definitions, lookup


def defs(src: str, path: str = "src/app.ts") -> list[Definition]:
    out = find_definitions(path, dedent(src))
    assert out is not None
    return out


def one(ds: list[Definition], qualname: str, kind: str | None = None) -> Definition:
    found = [d for d in ds if d.qualname == qualname and (kind is None or d.kind == kind)]
    assert len(found) == 1, (qualname, [(d.qualname, d.kind) for d in ds])
    return found[0]


def test_function_declarations():
    ds = defs(
        """\
        import { x } from "./x";

        /**
         * Adds.
         */
        export function add(a: number, b: number): number {
          return a + b;
        }

        export default async function* gen(): AsyncGenerator<{ a: number }> {
          yield { a: 1 };
        }

        function typed(): { ok: boolean } {
          return { ok: true };
        }

        export function overload(a: string): string;
        export function overload(a: any) {
          return a;
        }

        declare function ambient(x: number): void;
        """
    )
    a = one(ds, "add")
    assert (a.kind, a.line, a.start_line, a.end_line) == ("function", 5, 2, 7)
    assert a.signature == "export function add(a: number, b: number): number"
    g = one(ds, "gen")
    assert (g.line, g.end_line) == (9, 11)
    assert g.signature == "export default async function* gen(): AsyncGenerator<{ a: number }>"
    t = one(ds, "typed")
    assert (t.line, t.end_line) == (13, 15)
    ov = [d for d in ds if d.name == "overload"]
    assert [(d.line, d.end_line) for d in ov] == [(17, 17), (18, 20)]
    assert one(ds, "ambient").end_line == 22


def test_class_members():
    ds = defs(
        """\
        @Component({ selector: "x" })
        export class Widget<T> extends Base<T> implements I {
          private readonly x: number = 1;
          static count = 0;
          #secret = 2;

          constructor(private svc: Service) {
            super();
          }

          /** Renders. */
          render(): string {
            return "}";
          }

          static create(): Widget<number> { return new Widget(null); }
          get value(): number { return this.x; }
          set value(v: number) {}
          #priv() {}
          async *stream() {}
          handler = (e: Event) => {
            console.log(e);
          };
          @Input() label: string;
          abstract foo(): void;
          [Symbol.iterator]() {}
        }

        class Empty {}
        """
    )
    w = one(ds, "Widget", "class")
    assert (w.start_line, w.line, w.end_line) == (0, 1, 26)
    assert w.signature == "export class Widget<T> extends Base<T> implements I"
    assert one(ds, "Widget::x").kind == "field"
    assert one(ds, "Widget::count").line == 3
    assert one(ds, "Widget::#secret").line == 4
    c = one(ds, "Widget::constructor")
    assert (c.kind, c.line, c.end_line) == ("method", 6, 8)
    r = one(ds, "Widget::render")
    assert (r.start_line, r.line, r.end_line) == (10, 11, 13)
    assert one(ds, "Widget::create").signature == "static create(): Widget<number>"
    assert [d.line for d in ds if d.qualname == "Widget::value"] == [16, 17]
    assert one(ds, "Widget::#priv").kind == "method"
    assert one(ds, "Widget::stream").line == 19
    h = one(ds, "Widget::handler")
    assert (h.kind, h.line, h.end_line) == ("method", 20, 22)
    lbl = one(ds, "Widget::label")
    assert (lbl.start_line, lbl.line) == (23, 23)
    assert one(ds, "Widget::foo").end_line == 24
    assert one(ds, "Widget::[Symbol.iterator]").line == 25
    assert one(ds, "Empty").end_line == 28
    assert lookup(ds, "Widget.render") == [r]
    assert lookup(ds, "Widget::render()") == [r]


def test_const_let_var_and_arrow_functions():
    ds = defs(
        """\
        export const arrow = async (x: number): Promise<void> => {
          await x;
        };

        export const single = x => x * 2
        export const fnExpr = function named() {};
        const generic = <T,>(x: T): T => x;
        let counter = 0;
        var legacy = require("legacy");
        const config: Config = {
          a: 1,
        };
        const chained = builder
          .add(1)
          .build()
        const { a, b } = obj;

        function outer() {
          const local = 1;
        }
        """
    )
    a = one(ds, "arrow")
    assert (a.kind, a.line, a.end_line) == ("function", 0, 2)
    assert a.signature == "export const arrow = async (x: number): Promise<void> =>"
    assert one(ds, "single").kind == "function"
    assert one(ds, "fnExpr").kind == "function"
    assert one(ds, "generic").kind == "function"
    assert one(ds, "counter").kind == "let"
    assert one(ds, "legacy").kind == "var"
    cfg = one(ds, "config")
    assert (cfg.kind, cfg.line, cfg.end_line) == ("const", 9, 11)
    ch = one(ds, "chained")
    assert (ch.line, ch.end_line) == (12, 14)
    assert "local" not in [d.name for d in ds]
    assert one(ds, "outer").end_line == 19


def test_interfaces_types_enums_namespaces():
    ds = defs(
        """\
        export interface Shape extends Base<{ a: 1 }> {
          area(): number;
        }

        export type Pair<T> = {
          a: T;
          b: T;
        };

        type Union =
          | "a"
          | "b";

        export const enum Color { Red, Green }
        declare enum Ambient { A }

        namespace NS.Inner {
          export function f() {}
        }

        declare module "lib" {
          export function g(): void;
        }

        const obj = { type: "x", class: 1 };
        """
    )
    s = one(ds, "Shape")
    assert (s.kind, s.line, s.end_line) == ("interface", 0, 2)
    p = one(ds, "Pair")
    assert (p.kind, p.line, p.end_line) == ("type", 4, 7)
    u = one(ds, "Union")
    assert (u.line, u.end_line) == (9, 11)
    c = one(ds, "Color")
    assert (c.kind, c.line, c.signature) == ("enum", 13, "export const enum Color")
    assert one(ds, "Ambient").kind == "enum"
    assert one(ds, "NS::Inner::f").line == 17
    assert one(ds, "g").line == 21
    assert one(ds, "obj").kind == "const"


def test_describe_it_test_and_skips():
    ds = defs(
        """\
        describe("suite", () => {
          beforeEach(() => {});

          it("does x", async () => {
            expect(1).toBe(1);
          });

          it.skip("skipped", () => {});
          xit("x-skipped", () => {});
          it.only("focused", () => {});
          test.todo("later");

          describe.skip("inner", () => {
            test("child", () => {});
          });

          describe("nested", function () {
            it('single quoted \\'title\\'', function () {});
          });
        });

        test(`template title`, () => {});
        xdescribe("off", () => { it("in off", () => {}); });
        """,
        path="src/app.test.ts",
    )
    s = one(ds, "suite")
    assert (s.kind, s.is_test, s.line, s.end_line) == ("describe", False, 0, 19)
    t = one(ds, "suite::does x")
    assert (t.kind, t.name, t.is_test, t.line, t.end_line, t.disabled) == ("test", "does x", True, 3, 5, None)
    assert t.signature == 'it("does x")'
    assert one(ds, "suite::skipped").disabled == "it.skip"
    assert one(ds, "suite::x-skipped").disabled == "xit"
    assert one(ds, "suite::focused").disabled is None
    assert one(ds, "suite::later").disabled == "test.todo"
    inner = one(ds, "suite::inner")
    assert (inner.kind, inner.disabled) == ("describe", "describe.skip")
    child = one(ds, "suite::inner::child")
    assert child.disabled == "describe.skip" and child.is_test
    assert one(ds, "suite::nested::single quoted 'title'").line == 17
    assert one(ds, "template title").line == 21
    assert one(ds, "off::in off").disabled == "xdescribe"
    # the test title is a valid symbol, as is the describe path
    assert lookup(ds, "does x") == [t]
    assert lookup(ds, "suite::does x") == [t]
    assert lookup(ds, "suite does x") == [t]
    assert lookup(ds, "suite > inner > child") == [child]
    assert lookup(ds, '"does x"') == [t]


def test_each_tables_and_non_test_calls():
    ds = defs(
        """\
        describe.each([1, 2])("table %i", (n) => {
          test.each([[1, 2], [3, 4]])("adds %i", (a, b) => {
            expect(a).toBe(b);
          });

          test.each`
            a    | b
            ${1} | ${2}
          `("tagged $a", ({ a, b }) => {});
        });

        const ok = /test(/.test("x");
        regex.test(value);
        it(name, () => {});
        describe(MyComponent, () => { it("renders", () => {}); });
        """,
        path="src/app.test.js",
    )
    assert one(ds, "table %i").kind == "describe"
    e = one(ds, "table %i::adds %i")
    assert (e.is_test, e.line, e.end_line) == (True, 1, 3)
    tg = one(ds, "table %i::tagged $a")
    assert (tg.line, tg.end_line) == (5, 8)
    assert one(ds, "MyComponent::renders").is_test
    assert len([d for d in ds if d.is_test]) == 3


def test_templates_regexes_comments_and_strings_with_braces():
    ds = defs(
        """\
        function tricky() {
          const s = `${ {a: 1}.a } and ${ `nested ${"}"}` } }`;
          const re = /[{]\\/}/g;
          const re2 = x.split(/}/);
          const half = total / 2 / { a: 1 }.a;
          // } in a comment
          /* { in a block comment */
          const q = "}" + '{';
          return s;
        }

        function next() {}
        """
    )
    t = one(ds, "tricky")
    assert (t.line, t.end_line) == (0, 9)
    assert one(ds, "next").line == 11


def test_jsx():
    ds = defs(
        """\
        export function App({ items }: Props) {
          return (
            <div className="app">
              <p>Don't {items.length} items</p>
              {items.map((i) => (
                <Item key={i.id} onClick={() => { select(i); }} />
              ))}
            </div>
          );
        }

        export const Other = () => <span>{"}"}</span>;
        """,
        path="src/App.tsx",
    )
    a = one(ds, "App")
    assert (a.line, a.end_line) == (0, 9)
    o = one(ds, "Other")
    assert (o.kind, o.line, o.end_line) == ("function", 11, 11)


def test_doc_comment_directly_above_and_decorators():
    ds = defs(
        """\
        // Not attached: blank line below.

        // Attached line 1
        // Attached line 2
        export function documented() {}

        const x = 1; // trailing
        function notDocumented() {}
        """
    )
    d = one(ds, "documented")
    assert (d.start_line, d.line) == (2, 4)
    n = one(ds, "notDocumented")
    assert (n.start_line, n.line) == (7, 7)


def test_javascript_extensions_and_shebang():
    src = "#!/usr/bin/env node\n'use strict';\nfunction main() {\n}\nmodule.exports = { main };\n"
    for path in ("bin/cli.js", "a.mjs", "a.cjs", "a.jsx"):
        ds = find_definitions(path, src)
        m = one(ds, "main")
        assert (m.line, m.end_line) == (2, 3)


def test_garbage_never_raises():
    for src in (
        "function",
        "class {",
        "describe(",
        "it('x",
        "`${",
        "/[",
        "const = ;",
        "}}}) function f() {}",
    ):
        assert find_definitions("x.ts", src) is not None
    ds = find_definitions("x.ts", "function open() {\n  const a = 1;\n")
    assert one(ds, "open").end_line == 1
