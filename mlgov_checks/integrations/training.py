"""Training-side helpers: record provenance, the code review and a validated model card on a run."""

from __future__ import annotations

import datetime as dt
import functools
import os
import posixpath
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from mlgov_checks.errors import CardRejectedError, UsageError
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import Policy, load_policy

if TYPE_CHECKING:
    from mlgov_checks.backend import Writer


_F = TypeVar("_F", bound=Callable[..., Any])


def _leaves_environment_alone(func: _F) -> _F:
    """The caller's MLflow variables are as they were after the helper, on success and on failure.

    The client already applies its retry bounds only while one of its calls runs; this also undoes
    what importing MLflow sets (MLflow 3 exports its telemetry session id) when a helper is the
    first to import it, so a training job's later calls and subprocesses see only its own settings.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        before = {k: v for k, v in os.environ.items() if k.startswith(_MLFLOW_VARIABLES)}
        try:
            return func(*args, **kwargs)
        finally:
            for key in [k for k in os.environ if k.startswith(_MLFLOW_VARIABLES) and k not in before]:
                os.environ.pop(key, None)
            for key, value in before.items():
                if os.environ.get(key) != value:
                    os.environ[key] = value

    return wrapper  # type: ignore[return-value]


_MLFLOW_VARIABLES = ("MLFLOW_", "_MLFLOW_")


def _writer(tracking_uri: str | None) -> Writer:
    from mlgov_checks import backend

    return backend.connect(tracking_uri).writer


def _run_id(writer: Writer, run_id: str | None) -> str:
    """The given run, else the active run, else MLFLOW_RUN_ID."""
    found = run_id or writer.active_run_id() or os.environ.get("MLFLOW_RUN_ID")
    if not found:
        raise UsageError("no run: start one with mlflow.start_run(), or pass run_id / --run-id")
    return found


@_leaves_environment_alone
def log_provenance(repo: str = ".", *, run_id: str | None = None, policy: Policy | None = None,
                   tracking_uri: str | None = None) -> dict[str, Any]:
    """Tag the run with the commit, branch, remote URL and dirty flag of the git work tree at `repo`.

    The tag names are the first of the policy's `provenance.*_keys` (by default MLflow's own
    `mlflow.source.git.*` and `mlgov.git.dirty`), so `mlgov check` reads what was written. Call it
    before the run writes files into the work tree: they would make it dirty. Returns the facts.
    """
    from mlgov_checks.integrations import gitrepo

    conf = (policy or load_policy()).section("provenance")
    facts = gitrepo.describe_worktree(repo)
    pairs = [(conf["commit_keys"], facts["commit"]), (conf["branch_keys"], facts["branch"]),
             (conf["repo_url_keys"], facts["repo_url"]),
             (conf["dirty_keys"] or ["mlgov.git.dirty"], str(bool(facts["dirty"])).lower())]
    tags = {keys[0]: value for keys, value in pairs if keys and value is not None}
    writer = _writer(tracking_uri)
    writer.set_run_tags(_run_id(writer, run_id), tags)
    return facts


@_leaves_environment_alone
def log_review(reviewer: str, status: str = "approved", date: str | dt.date | None = None, *,
               run_id: str | None = None, policy: Policy | None = None,
               tracking_uri: str | None = None) -> dict[str, str]:
    """Tag the run with who reviewed the code, the review's status, and its date (today by default).

    Tag names come from the policy's `provenance.review` keys (`code_reviewer`, `review_status`,
    `review_date`). In CI, take the reviewer from the merged pull request's approval.
    """
    if not reviewer.strip() or not status.strip():
        raise UsageError("log_review: reviewer and status must not be empty")
    conf = (policy or load_policy()).section("provenance")["review"]
    day = date.isoformat() if isinstance(date, dt.date) else (date or dt.date.today().isoformat())
    tags = {conf["reviewer_key"]: reviewer.strip(), conf["status_key"]: status.strip(),
            conf["date_key"]: day}
    writer = _writer(tracking_uri)
    writer.set_run_tags(_run_id(writer, run_id), tags)
    return tags


@_leaves_environment_alone
def log_model_card(path: str, *, run_id: str | None = None, policy: Policy | None = None,
                   tracking_uri: str | None = None) -> str:
    """Validate the card with the `mlgov card` checks, then log it as the policy's card artifact.

    A failing card raises CardRejectedError and nothing is logged. The file is read once: the bytes
    checked are the bytes logged, whatever happens to `path` meanwhile. Returns the artifact path
    (`documentation/model_card.yaml` by default), whatever the local file is called.
    """
    from mlgov_checks.checks import card

    effective = policy or load_policy()
    limit = int(effective.section("card")["max_bytes"])
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)  # over the limit: the check below says so
    except OSError as e:
        raise UsageError(f"cannot read the model card {path}: {e.strerror or e}") from e
    artifact = str(effective.section("evidence")["card_artifact"]).strip("/")
    folder, name = posixpath.split(artifact)
    with tempfile.TemporaryDirectory(prefix="mlgov-card-") as tmp:  # private to this user (0700)
        checked = _private_copy(data, os.path.join(tmp, "checked"), os.path.basename(path))
        findings = card.check_file(checked, effective, display_path=path)
        bad = [f for f in findings if f.status in (Status.FAIL, Status.ERROR)]
        if bad:
            first = bad[0]
            raise CardRejectedError(f"{first.location}: {first.check} {first.message} "
                                    f"({len(bad)} problem(s)); the card was not logged", bad)
        writer = _writer(tracking_uri)
        writer.log_file(_run_id(writer, run_id), _private_copy(data, tmp, name), folder or None)
    return artifact


def _private_copy(data: bytes, folder: str, name: str) -> str:
    """`data` as `folder/name` (the card's own name, so that its format is read as it was written)."""
    os.makedirs(folder, exist_ok=True)
    local = os.path.join(folder, name)
    with open(local, "wb") as fh:
        fh.write(data)
    return local


@_leaves_environment_alone
def sign_model(target: str, *, key: str | None = None, password: str | None = None, certificate: str | None = None,
               chain: tuple[str, ...] = (), sigstore: bool = False, tracking_uri: str | None = None) -> str:
    """Sign a registered version's model files (`models:/NAME/VERSION`) and store the signature in its run.

    What `mlgov sign` does, from the training job once it has registered the version: key mode with
    an EC private key (`key`), certificate mode with `certificate` (and `chain`), or Sigstore
    keyless (`sigstore=True`, CI with network). Needs the `model-signing` extra. Returns where the
    signature was stored (`runs:/ID/mlgov/signatures/...`).
    """
    from mlgov_checks import backend
    from mlgov_checks.governance import signing

    conn = backend.connect(tracking_uri)
    signer = signing.Signer(private_key=key, password=password, certificate=certificate, chain=tuple(chain),
                            sigstore=sigstore)
    return signing.sign_version(target, signer, reader=conn.reader, writer=conn.writer).signature
