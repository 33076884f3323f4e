import pytest


@pytest.mark.skip(reason="needs a running server")
def test_cli_lists_runs_from_server():
    pass
