"""Python symbol scanner: defs, classes, indentation ranges, pytest/unittest tests and skips."""

from __future__ import annotations

from textwrap import dedent

from parity_lsp.workspace.symbols import Definition, find_definitions, lookup


def defs(src: str, path: str = "tests/test_x.py") -> list[Definition]:
    out = find_definitions(path, dedent(src))
    assert out is not None
    return out


def one(ds: list[Definition], qualname: str, kind: str | None = None) -> Definition:
    found = [d for d in ds if d.qualname == qualname and (kind is None or d.kind == kind)]
    assert len(found) == 1, (qualname, [(d.qualname, d.kind) for d in ds])
    return found[0]


def test_def_async_def_and_signature_over_lines():
    ds = defs(
        """\
        import os


        def parse_row(row: str,
                      *, strict: bool = False) -> dict[str, int]:
            if strict:
                return {}
            return {"a": 1}


        async def fetch(url):  # trailing comment
            return await get(url)
        """
    )
    p = one(ds, "parse_row")
    assert (p.kind, p.line, p.start_line, p.end_line) == ("def", 3, 3, 7)
    assert p.signature == "def parse_row(row: str, *, strict: bool = False) -> dict[str, int]"
    f = one(ds, "fetch")
    assert (f.line, f.end_line) == (10, 11)
    assert f.signature == "async def fetch(url)"
    assert not p.is_test and not f.is_test


def test_classes_methods_nested_classes_and_functions():
    ds = defs(
        """\
        class Outer(Base, metaclass=Meta):
            \"\"\"Docs.\"\"\"

            attr = 1

            def method(self):
                def inner():
                    return 1
                return inner

            class Inner:
                def deep(self):
                    pass

            @property
            def prop(self):
                return 2


        def after():
            pass
        """
    )
    o = one(ds, "Outer", "class")
    assert (o.line, o.end_line) == (0, 16)
    assert o.signature == "class Outer(Base, metaclass=Meta)"
    m = one(ds, "Outer::method")
    assert (m.line, m.end_line) == (5, 8)
    assert one(ds, "Outer::method::inner").end_line == 7
    assert one(ds, "Outer::Inner::deep").line == 11
    assert one(ds, "Outer::Inner").end_line == 12
    pr = one(ds, "Outer::prop")
    assert (pr.start_line, pr.line, pr.end_line) == (14, 15, 16)
    assert one(ds, "Outer::attr").kind == "var"
    assert one(ds, "after").line == 19
    assert lookup(ds, "Outer.method") == [m]
    assert lookup(ds, "Outer::method") == [m]
    assert lookup(ds, "pkg.module.Outer.method") == [m]
    assert lookup(ds, "Other.method") == []


def test_multi_line_decorators_are_in_start_line():
    ds = defs(
        """\
        @pytest.mark.parametrize(
            "a,b",
            [(1, 2), (3, 4)],
        )
        # a comment between decorators
        @pytest.mark.slow
        def test_param(a, b):
            assert a < b
        """
    )
    t = one(ds, "test_param")
    assert (t.start_line, t.line, t.end_line) == (0, 6, 7)
    assert t.is_test and t.disabled is None
    assert lookup(ds, "test_param[1-2]") == [t]


def test_comment_and_blank_lines_at_lower_indent_do_not_end_a_body():
    ds = defs(
        """\
        def f():
            x = 1

        # column-0 comment inside the body

            y = 2
            # trailing comment in the body


        def g():
            pass
        """
    )
    f = one(ds, "f")
    assert (f.line, f.end_line) == (0, 5)
    assert one(ds, "g").line == 9


def test_triple_quoted_strings_with_def_at_column_zero():
    ds = defs(
        '''\
        TEMPLATE = """
        def not_a_function():
            pass
        class NotAClass:
        """


        def real():
            doc = \'\'\'
        def also_not():
        \'\'\'
            return doc
        '''
    )
    assert [d.qualname for d in ds] == ["TEMPLATE", "real"]
    r = one(ds, "real")
    assert (r.line, r.end_line) == (7, 11)
    assert one(ds, "TEMPLATE").end_line == 4


def test_backslash_continuation_and_brackets_spanning_lines():
    ds = defs(
        """\
        def f(a,
              b):
            total = a + \\
        b
            data = [
        1,
            ]
            return total


        def g(): return 1
        """
    )
    f = one(ds, "f")
    assert (f.line, f.end_line) == (0, 7)
    g = one(ds, "g")
    assert (g.line, g.end_line) == (10, 10)


def test_pytest_functions_and_test_classes():
    ds = defs(
        """\
        def test_top():
            assert True


        def helper_test():
            pass


        class TestThing:
            def test_method(self):
                pass

            def helper(self):
                pass

            class TestNested:
                def test_deep(self):
                    pass


        class NotATestClass:
            def test_looks_like_one(self):
                pass


        def test_outer():
            def test_inner():
                pass
        """
    )
    assert one(ds, "test_top").is_test
    assert not one(ds, "helper_test").is_test
    assert one(ds, "TestThing::test_method").is_test
    assert not one(ds, "TestThing::helper").is_test
    assert one(ds, "TestThing::TestNested::test_deep").is_test
    assert not one(ds, "NotATestClass::test_looks_like_one").is_test
    assert not one(ds, "test_outer::test_inner").is_test
    assert not one(ds, "TestThing").is_test  # classes are containers, not tests


def test_unittest_testcase_methods_and_subclasses():
    ds = defs(
        """\
        import unittest


        class MyCase(unittest.TestCase):
            def setUp(self):
                pass

            def test_a(self):
                self.assertTrue(True)


        class Derived(MyCase):
            def test_b(self):
                pass


        class Async(unittest.IsolatedAsyncioTestCase):
            async def test_c(self):
                pass
        """
    )
    assert one(ds, "MyCase::test_a").is_test
    assert not one(ds, "MyCase::setUp").is_test
    assert one(ds, "Derived::test_b").is_test
    assert one(ds, "Async::test_c").is_test


def test_skip_markers():
    ds = defs(
        """\
        import sys
        import pytest
        import unittest


        @pytest.mark.skip
        def test_bare_skip():
            pass


        @pytest.mark.skip(reason="flaky")
        def test_skip_reason():
            pass


        @pytest.mark.skipif(True, reason="never")
        def test_skipif_true():
            pass


        @pytest.mark.skipif(1, reason="never")
        def test_skipif_one():
            pass


        @pytest.mark.skipif("True", reason="string condition")
        def test_skipif_string():
            pass


        @pytest.mark.skipif(sys.platform == "win32", reason="posix only")
        def test_skipif_conditional():
            pass


        @pytest.mark.skipif(condition=False, reason="runs")
        def test_skipif_false():
            pass


        @unittest.skip("broken")
        def test_unittest_skip():
            pass


        @unittest.skipIf(sys.version_info < (3, 12), "old")
        def test_unittest_skipif_conditional():
            pass


        @pytest.mark.xfail(reason="known")
        def test_xfail_runs():
            pass
        """
    )
    assert one(ds, "test_bare_skip").disabled == "@pytest.mark.skip"
    assert one(ds, "test_skip_reason").disabled == '@pytest.mark.skip(reason="flaky")'
    assert one(ds, "test_skipif_true").disabled == '@pytest.mark.skipif(True, reason="never")'
    assert one(ds, "test_skipif_one").disabled is not None
    assert one(ds, "test_skipif_string").disabled is not None
    assert one(ds, "test_skipif_conditional").disabled is None
    assert one(ds, "test_skipif_false").disabled is None
    assert one(ds, "test_unittest_skip").disabled == '@unittest.skip("broken")'
    assert one(ds, "test_unittest_skipif_conditional").disabled is None
    assert one(ds, "test_xfail_runs").disabled is None
    assert one(ds, "test_bare_skip").start_line == 5


def test_class_level_skip_applies_to_methods():
    ds = defs(
        """\
        @pytest.mark.skip(reason="whole class")
        class TestSkipped:
            def test_one(self):
                pass


        @unittest.skip("legacy")
        class LegacyCase(unittest.TestCase):
            def test_two(self):
                pass


        class TestMarked:
            pytestmark = pytest.mark.skip("marked")

            def test_three(self):
                pass


        class TestRuns:
            def test_four(self):
                pass
        """
    )
    assert one(ds, "TestSkipped::test_one").disabled == '@pytest.mark.skip(reason="whole class")'
    assert one(ds, "TestSkipped").disabled is not None
    assert one(ds, "LegacyCase::test_two").disabled == '@unittest.skip("legacy")'
    assert one(ds, "TestMarked::test_three").disabled == 'pytest.mark.skip("marked")'
    assert one(ds, "TestRuns::test_four").disabled is None


def test_module_level_pytestmark():
    ds = defs(
        """\
        import pytest

        def test_a():
            pass

        pytestmark = [pytest.mark.slow, pytest.mark.skipif(True, reason="off")]
        """
    )
    assert one(ds, "test_a").disabled == 'pytest.mark.skipif(True, reason="off")'
    ds = defs(
        """\
        pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="posix")

        def test_b():
            pass
        """
    )
    assert one(ds, "test_b").disabled is None


def test_skip_as_first_statement():
    ds = defs(
        """\
        def test_skip_call():
            \"\"\"Docstring first.\"\"\"
            pytest.skip("not yet")


        class TestC(unittest.TestCase):
            def test_skiptest(self):
                self.skipTest("nope")

            def test_raise(self):
                raise unittest.SkipTest("later")


        def test_conditional():
            if sys.platform == "win32":
                pytest.skip("windows")


        def test_one_liner(): pytest.skip("x")
        """
    )
    assert one(ds, "test_skip_call").disabled == 'pytest.skip("not yet")'
    assert one(ds, "TestC::test_skiptest").disabled == 'self.skipTest("nope")'
    assert one(ds, "TestC::test_raise").disabled == 'raise unittest.SkipTest("later")'
    assert one(ds, "test_conditional").disabled is None
    assert one(ds, "test_one_liner").disabled is not None


def test_module_and_class_level_variables():
    ds = defs(
        """\
        CONSTANT = 5
        typed: int = 3
        a, b = 1, 2
        x == 1

        @dataclass
        class Config:
            timeout: int = 30
            name: str

            def method(self):
                local = 1
        """
    )
    assert one(ds, "CONSTANT").kind == "var"
    assert one(ds, "typed").kind == "var"
    assert one(ds, "Config::timeout").line == 7
    assert one(ds, "Config::name").kind == "var"
    assert "local" not in [d.name for d in ds]
    assert "a" not in [d.name for d in ds]
    c = one(ds, "Config", "class")
    assert (c.start_line, c.line, c.end_line) == (5, 6, 11)
    assert lookup(ds, "Config.timeout") == [one(ds, "Config::timeout")]


def test_strings_and_comments_containing_def_and_brackets():
    ds = defs(
        """\
        def a():
            s = "def fake(): ("  # def also_fake(): [
            t = 'class Nope: {'
            return s


        def b():
            pass
        """
    )
    assert [d.qualname for d in ds] == ["a", "b"]
    assert one(ds, "a").end_line == 3


def test_tabs_crlf_and_bom():
    src = "\ufeffclass A:\r\n\tdef m(self):\r\n\t\treturn 1\r\n\r\ndef f():\r\n\tpass\r\n"
    ds = find_definitions("x.py", src)
    m = one(ds, "A::m")
    assert (m.line, m.end_line) == (1, 2)
    assert one(ds, "A").end_line == 2
    assert one(ds, "f").line == 4


def test_pyi_stubs_and_overloads():
    ds = defs(
        """\
        @overload
        def f(x: int) -> int: ...
        @overload
        def f(x: str) -> str: ...
        class C:
            def m(self) -> None: ...
        """,
        path="pkg/stub.pyi",
    )
    fs = [d for d in ds if d.name == "f"]
    assert [(d.start_line, d.line, d.end_line) for d in fs] == [(0, 1, 1), (2, 3, 3)]
    assert one(ds, "C::m").end_line == 5


def test_garbage_and_unbalanced_brackets_recover_at_next_def():
    ds = defs(
        """\
        x = (1,
        def recovered():
            pass
        """
    )
    assert one(ds, "recovered").line == 1
    assert find_definitions("x.py", '"""never closed\ndef f(): pass') == []
    assert find_definitions("x.py", "def") == []
    assert find_definitions("x.py", "class :\n  def (:") == []
