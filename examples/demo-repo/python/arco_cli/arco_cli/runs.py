"""Run listing for the operator CLI."""

from dataclasses import dataclass


@dataclass
class Run:
    run_id: str
    status: str


class RunTable:
    """Formats runs for the terminal."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs

    def render(self) -> str:
        return "\n".join(f"{r.run_id}\t{r.status}" for r in self.runs)


def list_runs(runs: list[Run], status: str | None = None) -> list[Run]:
    return [r for r in runs if status is None or r.status == status]
