"""What a report says besides the findings: the command, the policy, the repository layout."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlgov_checks.version import __version__

if TYPE_CHECKING:  # the layout is built only for the formats that point at files (not on the hook's path)
    from mlgov_checks.reports.findings.locations import RepoLayout

JUNIT_FLAVORS = ("jenkins", "gitlab")
LAYOUT_FORMATS = ("junit", "sarif", "github", "markdown")  # the formats whose findings point at repository files


def flavor_from_env(env: Mapping[str, str]) -> str:
    """MLGOV_JUNIT_FLAVOR when valid, else `gitlab` inside a GitLab CI job, else `jenkins`."""
    chosen = env.get("MLGOV_JUNIT_FLAVOR", "").strip().lower()
    if chosen in JUNIT_FLAVORS:
        return chosen
    return "gitlab" if env.get("GITLAB_CI") == "true" else "jenkins"


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
