"""What a report says besides the findings: the command, the policy, the repository layout."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlgov_checks.reporters.locations import RepoLayout
from mlgov_checks.version import __version__

JUNIT_FLAVORS = ("jenkins", "gitlab")


@dataclass(frozen=True)
class ReportContext:
    """What a report says besides the findings."""

    command: str = "check"
    color: bool = False
    verbose: bool = False
    policy_source: str | None = None
    tool_version: str = __version__
    targets: tuple[str, ...] = field(default_factory=tuple)  # every target evaluated, in order
    layout: RepoLayout | None = None  # where findings point (None: found from the working directory)
    sarif_category: str | None = None  # SARIF automationDetails.id; None leaves it to the uploader
    junit_flavor: str = "jenkins"  # jenkins: valid against xunit's junit-10.xsd; gitlab: adds testcase/@file
