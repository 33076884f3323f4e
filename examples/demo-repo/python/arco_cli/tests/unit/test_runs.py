from arco_cli.runs import Run, RunTable, list_runs


def test_list_runs_filters_by_status():
    runs = [Run("a", "ok"), Run("b", "failed")]
    assert [r.run_id for r in list_runs(runs, "ok")] == ["a"]


class TestRunTable:
    def test_render_has_one_line_per_run(self):
        assert RunTable([Run("a", "ok")]).render() == "a\tok"
