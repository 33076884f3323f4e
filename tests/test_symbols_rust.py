"""Rust symbol scanner: definitions, item ranges, tests and the lexical traps."""

from __future__ import annotations

from textwrap import dedent

from parity_lsp.workspace.symbols import Definition, find_definitions, lookup


def defs(src: str) -> list[Definition]:
    out = find_definitions("src/lib.rs", dedent(src))
    assert out is not None
    return out


def one(ds: list[Definition], qualname: str, kind: str | None = None) -> Definition:
    found = [d for d in ds if d.qualname == qualname and (kind is None or d.kind == kind)]
    assert len(found) == 1, (qualname, [(d.qualname, d.kind) for d in ds])
    return found[0]


def names(ds: list[Definition]) -> list[str]:
    return [d.qualname for d in ds]


def test_plain_fn_and_ranges():
    ds = defs(
        """\
        use std::fmt;

        /// Parses a row.
        /// Second doc line.
        pub fn parse_row(line: &str) -> Option<Row> {
            let x = 1;
            None
        }
        """
    )
    d = one(ds, "parse_row")
    assert (d.kind, d.line, d.start_line, d.end_line) == ("fn", 4, 2, 7)
    assert d.is_test is False and d.disabled is None
    assert d.signature == "pub fn parse_row(line: &str) -> Option<Row>"


def test_fn_modifiers_generics_and_where_clause():
    ds = defs(
        """\
        pub(crate) async unsafe extern "C" fn weird<T: Fn() -> U, U>(
            &self,
            t: T,
        ) -> U
        where
            U: Clone + Into<Vec<u8>>,
        {
            t()
        }

        const fn cf() -> u8 { 1 }
        pub(in crate::a) fn scoped() {}
        fn arr(x: [u8; 4]) -> [u8; 4] { x }
        """
    )
    w = one(ds, "weird")
    assert (w.line, w.start_line, w.end_line) == (0, 0, 8)
    assert w.signature.startswith('pub(crate) async unsafe extern "C" fn weird<T: Fn() -> U, U>(')
    assert "where U: Clone" in w.signature
    cf = one(ds, "cf")
    assert (cf.kind, cf.line, cf.end_line) == ("fn", 10, 10)
    assert cf.signature == "const fn cf() -> u8"
    assert one(ds, "scoped").signature == "pub(in crate::a) fn scoped()"
    assert one(ds, "arr").end_line == 12


def test_structs_fields_tuple_and_unit():
    ds = defs(
        """\
        /** Block doc. */
        #[derive(Debug, Clone)]
        pub struct Parser<'a> {
            /// The input.
            pub input: &'a str,
            #[serde(default)]
            pos: usize,
            map: HashMap<String, Vec<u8>>,
            cb: fn(u8) -> u8,
            pub(crate) r#type: u8,
        }

        pub struct Unit;
        struct Tuple(pub u8, [u8; 4]);
        struct Gen<T>(T) where T: Copy;
        """
    )
    p = one(ds, "Parser", "struct")
    assert (p.line, p.start_line, p.end_line) == (2, 0, 10)
    assert p.signature == "pub struct Parser<'a>"
    f = one(ds, "Parser::input")
    assert (f.kind, f.name, f.line, f.start_line, f.end_line) == ("field", "input", 4, 3, 4)
    assert f.signature == "pub input: &'a str"
    pos = one(ds, "Parser::pos")
    assert (pos.line, pos.start_line) == (6, 5)
    assert one(ds, "Parser::map").signature == "map: HashMap<String, Vec<u8>>"
    assert one(ds, "Parser::cb").line == 8
    assert one(ds, "Parser::type").line == 9
    assert [d.name for d in ds if d.kind == "field"] == ["input", "pos", "map", "cb", "type"]
    u = one(ds, "Unit")
    assert (u.kind, u.line, u.end_line) == ("struct", 12, 12)
    t = one(ds, "Tuple")
    assert (t.line, t.end_line, t.signature) == (13, 13, "struct Tuple(pub u8, [u8; 4])")
    assert one(ds, "Gen").end_line == 14


def test_enum_variants_union_trait_type_const_static():
    ds = defs(
        """\
        pub enum Status {
            /// Fine.
            Ok,
            Failed(String),
            Other { code: u32 },
            Shifted = 1 << 3,
        }

        #[repr(C)]
        union Bits { i: u32, f: f32 }

        pub trait Runner: Send {
            type Output;
            const LIMIT: usize = 3;
            fn run(&self) -> Self::Output;
            fn default_m(&self) -> u8 {
                1
            }
        }

        type Alias<T> = Box<dyn Fn(T) -> [u8; 3]>;
        pub const MAX: usize = 10;
        static mut COUNTER: Foo = Foo {
            a: 1,
        };
        const _: () = ();
        """
    )
    e = one(ds, "Status", "enum")
    assert (e.line, e.end_line) == (0, 6)
    ok = one(ds, "Status::Ok")
    assert (ok.kind, ok.line, ok.start_line) == ("field", 2, 1)
    assert one(ds, "Status::Shifted").line == 5
    assert [d.name for d in ds if d.qualname.startswith("Status::")] == ["Ok", "Failed", "Other", "Shifted"]
    u = one(ds, "Bits", "union")
    assert (u.start_line, u.line, u.end_line) == (8, 9, 9)
    assert one(ds, "Bits::f").kind == "field"
    tr = one(ds, "Runner", "trait")
    assert (tr.line, tr.end_line) == (11, 18)
    assert one(ds, "Runner::Output").kind == "type"
    assert one(ds, "Runner::LIMIT").kind == "const"
    run = one(ds, "Runner::run")
    assert (run.line, run.end_line) == (14, 14)
    dm = one(ds, "Runner::default_m")
    assert (dm.line, dm.end_line) == (15, 17)
    a = one(ds, "Alias")
    assert (a.kind, a.line, a.end_line) == ("type", 20, 20)
    assert one(ds, "MAX").kind == "const"
    c = one(ds, "COUNTER")
    assert (c.kind, c.line, c.end_line) == ("static", 22, 24)
    assert "_" not in names(ds)


def test_impl_blocks_and_trait_impls():
    ds = defs(
        """\
        impl<'a> Parser<'a> {
            pub fn new(input: &'a str) -> Self {
                Self { input, pos: 0 }
            }
        }

        impl<T: fmt::Debug> fmt::Display for Wrapper<T>
        where
            T: Clone,
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                Ok(())
            }
        }

        unsafe impl Send for crate::x::Handle {}
        impl<F> Callback for F where F: for<'a> Fn(&'a str) {
            fn call(&self) {}
        }
        """
    )
    imp = one(ds, "Parser", "impl")
    assert (imp.line, imp.end_line) == (0, 4)
    new = one(ds, "Parser::new")
    assert (new.line, new.end_line) == (1, 3)
    disp = one(ds, "<Wrapper as Display>", "impl")
    assert (disp.name, disp.line, disp.end_line) == ("Wrapper", 6, 13)
    fmt_ = one(ds, "Wrapper::fmt")
    assert (fmt_.line, fmt_.end_line) == (10, 12)
    assert one(ds, "<Handle as Send>").name == "Handle"
    assert one(ds, "F::call").kind == "fn"
    # lookup by the type, by the trait, with paths and parens
    assert lookup(ds, "Wrapper::fmt") == [fmt_]
    assert lookup(ds, "Display::fmt") == [fmt_]
    assert lookup(ds, "fmt::Display::fmt()") == [fmt_]
    assert lookup(ds, "<Wrapper as Display>::fmt") == [fmt_]
    assert lookup(ds, "Callback::call") == [one(ds, "F::call")]
    assert lookup(ds, "Other::fmt") == []


def test_nested_modules_and_mod_declarations():
    ds = defs(
        """\
        mod decl;
        pub mod a {
            pub mod b {
                pub fn f() {}
                pub struct S;
            }
            fn g() {}
        }
        """
    )
    d = one(ds, "decl")
    assert (d.kind, d.line, d.end_line) == ("mod", 0, 0)
    a = one(ds, "a")
    assert (a.line, a.end_line) == (1, 7)
    assert one(ds, "a::b").end_line == 5
    assert one(ds, "a::b::f").line == 3
    assert one(ds, "a::b::S").kind == "struct"
    assert one(ds, "a::g").line == 6
    assert lookup(ds, "b::f") == [one(ds, "a::b::f")]
    assert lookup(ds, "crate::a::b::f") == [one(ds, "a::b::f")]


def test_cfg_test_module_and_test_attributes():
    ds = defs(
        """\
        pub fn add(a: u8, b: u8) -> u8 { a + b }

        #[cfg(test)]
        mod tests {
            use super::*;

            #[test]
            fn it_works() {
                assert_eq!(add(2, 2), 4);
            }

            /// Runs on a multi-thread runtime.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn async_test() {}

            #[rstest]
            #[case(1)]
            fn param(#[case] x: u8) {}

            #[test_case(1, 2 ; "one two")]
            fn cases(a: u8, b: u8) {}

            #[test_log::test]
            fn logged() {}

            fn helper() {}
        }
        """
    )
    m = one(ds, "tests", "mod")
    assert (m.start_line, m.line, m.end_line) == (2, 3, 26)
    t = one(ds, "tests::it_works")
    assert (t.name, t.line, t.start_line, t.end_line) == ("it_works", 7, 6, 9)
    assert t.is_test and t.disabled is None
    a = one(ds, "tests::async_test")
    assert (a.start_line, a.line, a.is_test) == (11, 13, True)
    assert a.signature == "async fn async_test()"
    assert one(ds, "tests::param").is_test
    assert one(ds, "tests::param").start_line == 15
    assert one(ds, "tests::cases").is_test
    assert one(ds, "tests::logged").is_test
    assert not one(ds, "tests::helper").is_test
    assert not one(ds, "add").is_test
    assert lookup(ds, "it_works") == [t]
    assert lookup(ds, "tests::it_works") == [t]


def test_ignore_in_any_position():
    ds = defs(
        """\
        #[ignore]
        #[test]
        fn first() {}

        #[test]
        #[ignore = "needs a database"]
        fn second() {}

        #[tokio::test]
        #[cfg_attr(windows, ignore)]
        #[ignore]
        async fn third() {}

        #[test]
        #[cfg_attr(not(feature = "slow"), ignore)]
        fn conditional() {}
        """
    )
    assert one(ds, "first").disabled == "#[ignore]"
    assert one(ds, "first").start_line == 0
    assert one(ds, "second").disabled == '#[ignore = "needs a database"]'
    assert one(ds, "third").disabled == "#[ignore]"
    assert one(ds, "third").is_test
    assert one(ds, "conditional").disabled is None


def test_multi_line_attributes_and_doc_comments():
    ds = defs(
        """\
        //! Crate docs.

        /// Outer doc.
        // a plain comment between doc and attribute
        #[cfg_attr(
            feature = "serde",
            derive(Serialize, Deserialize)
        )]
        #[doc = "more ] docs ["]
        pub struct Documented;

        /**
         * Block doc comment.
         */
        fn block_doc() {}

        // Only a plain comment: not part of the item.
        fn plain() {}
        """
    )
    d = one(ds, "Documented")
    assert (d.start_line, d.line, d.end_line) == (2, 9, 9)
    b = one(ds, "block_doc")
    assert (b.start_line, b.line) == (11, 14)
    p = one(ds, "plain")
    assert (p.start_line, p.line) == (17, 17)


def test_comments_and_strings_with_braces():
    ds = defs(
        """\
        fn tricky() {
            // a } in a line comment
            /* a } in /* a nested */ block comment { */
            let s = "}\\"{";
            let r = r"{";
            let h = r#"a "quoted" {"#;
            let b = br##"}"#"##;
            let c = '{';
            let d = '}';
            let e = b'{';
            let esc = '\\'';
            let u = '\\u{7B}';
        }

        fn after<'a>(x: &'a str, y: &'static str) -> &'a str where 'a: 'static { x }

        struct Holder<'a> { r: &'a str }
        fn last() {}
        """
    )
    t = one(ds, "tricky")
    assert (t.line, t.end_line) == (0, 12)
    a = one(ds, "after")
    assert (a.line, a.end_line) == (14, 14)
    assert one(ds, "Holder::r").kind == "field"
    assert one(ds, "last").line == 17
    assert "static" not in [d.kind for d in ds]


def test_keywords_in_strings_and_comments_are_not_items():
    ds = defs(
        """\
        // fn commented() {}
        /* struct Nope; */
        const DOC: &str = "fn in_string() {}";
        const RAW: &str = r#"impl Foo { fn m() {} }"#;
        fn real() {}
        """
    )
    assert names(ds) == ["DOC", "RAW", "real"]


def test_macro_rules_and_nested_items():
    ds = defs(
        """\
        macro_rules! my_macro {
            ($x:expr) => {
                fn generated() {}
            };
        }

        macro_rules! paren_style ( () => () );

        fn outer() {
            fn inner() {}
            struct Local;
        }

        const _: () = {
            fn in_const() {}
        };
        """
    )
    m = one(ds, "my_macro")
    assert (m.kind, m.line, m.end_line) == ("macro", 0, 4)
    assert "generated" not in [d.name for d in ds]
    assert one(ds, "paren_style").end_line == 6
    assert one(ds, "outer::inner").line == 9
    assert one(ds, "outer::Local").kind == "struct"
    assert one(ds, "outer").end_line == 11
    assert one(ds, "in_const").line == 14
    assert lookup(ds, "my_macro!") == [m]


def test_extern_block_and_trait_method_declarations():
    ds = defs(
        """\
        extern "C" {
            fn abs(input: i32) -> i32;
            static errno: i32;
        }

        extern crate alloc;

        #[no_mangle]
        pub extern "C" fn exported() {}
        """
    )
    a = one(ds, "abs")
    assert (a.line, a.end_line) == (1, 1)
    assert one(ds, "errno").kind == "static"
    e = one(ds, "exported")
    assert (e.start_line, e.line) == (7, 8)
    assert e.signature == 'pub extern "C" fn exported()'


def test_const_generic_blocks_in_headers():
    ds = defs(
        """\
        impl Swizzle<{ N + 1 }> for Impl {
            fn swizzle() {}
        }
        pub trait Tr<const A: usize = { 3 }> {
            fn m();
        }
        """
    )
    assert one(ds, "<Impl as Swizzle>").end_line == 2
    assert one(ds, "Impl::swizzle").line == 1
    assert one(ds, "Tr").end_line == 5
    assert one(ds, "Tr::m").line == 4


def test_crlf_and_bom():
    src = "\ufeff/// doc\r\nfn a() {\r\n}\r\nfn b() {}\r"
    ds = find_definitions("x.rs", src)
    a = one(ds, "a")
    assert (a.start_line, a.line, a.end_line) == (0, 1, 2)
    assert one(ds, "b").line == 3


def test_unbalanced_and_truncated_input_never_raises():
    ds = defs(
        """\
        fn good() {}
        fn broken( {
            let x = "unterminated
        """
    )
    assert one(ds, "good").end_line == 0
    assert find_definitions("x.rs", "fn") == []
    assert find_definitions("x.rs", "}}}}} fn a() {} {{{{") is not None
    assert find_definitions("x.rs", "struct S { a: u8,") is not None
    assert find_definitions("x.rs", "/* never closed /* fn x() {}") == []
    assert find_definitions("x.rs", 'r#"never closed fn x() {}') == []
    # an unclosed body runs to the end of the file (its last character)
    ds = find_definitions("x.rs", "fn open() {\n  let a = 1;\n")
    assert one(ds, "open").end_line == 1


def test_lookup_struct_fields_and_ordering():
    ds = defs(
        """\
        pub struct Config { pub timeout: u64 }
        impl Config {
            pub fn timeout(&self) -> u64 { self.timeout }
        }
        """
    )
    field = one(ds, "Config::timeout", "field")
    method = one(ds, "Config::timeout", "fn")
    assert lookup(ds, "Config.timeout") == [field, method]
    assert lookup(ds, "Config") == [one(ds, "Config", "struct"), one(ds, "Config", "impl")]
    assert lookup(ds, "timeout") == [field, method]


def test_impl_self_type_forms_and_inner_doc_adjacency():
    ds = defs(
        """\
        impl dyn Any {
            fn is_it(&self) {}
        }
        impl<T: ?Sized> Display for &T { fn fmt(&self) {} }
        impl<T> Index<usize> for [T] { fn index(&self) {} }
        impl<'a, T> From<&'a [T]> for Vec<T> { fn from(x: &'a [T]) -> Self { todo!() } }
        impl !Send for Raw {}
        impl<F> Tr for F where F: for<'a> Fn(&'a u8) -> &'a u8 { fn m() {} }
        mod m {
            //! Inner doc of m (directly above: counted, as for any doc comment).
            fn f() {}

            //! Separated by a blank line: not counted.

            fn g() {}
        }
        """
    )
    assert one(ds, "Any", "impl").end_line == 2
    assert one(ds, "Any::is_it").line == 1
    assert one(ds, "<T as Display>").name == "T"
    assert one(ds, "<T as Index>").line == 4
    assert one(ds, "<Vec as From>").line == 5
    assert one(ds, "Vec::from").line == 5
    assert one(ds, "<Raw as Send>").end_line == 6
    assert one(ds, "F::m").line == 7
    assert one(ds, "m::f").start_line == 9
    assert one(ds, "m::g").start_line == 14
    assert lookup(ds, "From::from") == [one(ds, "Vec::from")]


def test_lifetimes_division_and_literal_prefixes():
    # the lexer looks back from a quote for the b / c / r#.. prefixes; a lone `/` or a
    # lifetime `'a` starts nothing
    ds = defs(
        """\
        fn lifetimes<'a, 'b: 'a>(x: &'a str, y: &'b str) -> &'a str { x }
        fn division(a: u32, b: u32) -> u32 { a / b / 2 }
        fn prefixes() {
            let s = b"{"; let c = c"{"; let r = br#"{"#; let t = cr##"}"##;
            let ch = b'{'; let q = '"'; let w = ab"}";
        }
        fn after() {}
        """
    )
    assert [(d.qualname, d.line, d.end_line) for d in ds] == [
        ("lifetimes", 0, 0),
        ("division", 1, 1),
        ("prefixes", 2, 5),
        ("after", 6, 6),
    ]
    assert one(ds, "lifetimes").signature == "fn lifetimes<'a, 'b: 'a>(x: &'a str, y: &'b str) -> &'a str"


def test_attribute_spans_inner_attributes_and_semicolons():
    long_attr = "#[my_attr(" + "[x] " * 700 + ")]"  # longer than the near bracket search
    ds = defs(
        """\
        #![allow(dead_code)]
        fn inner_attribute_is_not_pending() {}
        #[test];
        fn semicolon_clears_the_attribute() {}
        #[cfg_attr(test, derive(Debug))]
        #[test]
        fn nested_brackets() {}
        LONG
        #[ignore]
        #[test]
        fn long_attribute() {}
        #[doc = "x"] #[should_panic(expected = "[x]")] #[test] fn one_line() {}
        """.replace("LONG", long_attr)
    )
    got = [(d.qualname, d.start_line, d.line, d.is_test, d.disabled) for d in ds]
    assert got == [
        ("inner_attribute_is_not_pending", 1, 1, False, None),
        ("semicolon_clears_the_attribute", 3, 3, False, None),
        ("nested_brackets", 4, 6, True, None),
        ("long_attribute", 7, 10, True, "#[ignore]"),
        ("one_line", 11, 11, True, None),
    ]


def test_modifiers_and_keyword_boundaries():
    ds = defs(
        """\
        /// doc
        pub(crate) async unsafe fn modifiers() {}
        pub
        fn split_modifier() {}
        fn_like_name();
        x.fn_call(); xfn(); r#fn();
        fn r#type() {}
        """
    )
    assert [(d.qualname, d.start_line, d.line, d.signature) for d in ds] == [
        ("modifiers", 0, 1, "pub(crate) async unsafe fn modifiers()"),
        ("split_modifier", 2, 3, "pub fn split_modifier()"),
        ("type", 6, 6, "fn r#type()"),
    ]
