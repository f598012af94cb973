"""Evidence checks: what a registered model version must carry besides good metrics."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from mlgov_checks.checks import approvals
from mlgov_checks.checks._base import Check, Context, check_from
from mlgov_checks.checks.card.logged import check_card_artifact, check_card_metrics, check_card_signature
from mlgov_checks.checks.model_origin import MODEL_ORIGIN, check_model_origin
from mlgov_checks.checks.model_signature import SIGNATURE, check_model_signature
from mlgov_checks.findings import Finding, Status
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import SEMVER_TAG, ModelVersionRecord


def check_source_run(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """The model version names the run that produced it, and that run exists.

    Provenance, metrics and artifacts are all read from the version's source run: a version
    registered from a file path, or whose run was deleted (even if only moved to the trash), has
    no evidence at all.
    """
    if not version.run_id:
        yield SOURCE_RUN.failed(version.target, "model version has no source run (run_id is empty)")
    elif version.run is None:
        yield SOURCE_RUN.failed(version.target, f"source run {version.run_id} was not found")
    elif version.run.lifecycle_stage == "deleted":
        yield SOURCE_RUN.failed(version.target, f"source run {version.run_id} was deleted",
                                hint="restore the run (mlflow runs restore) or register the model from a live run")
    else:
        yield SOURCE_RUN.passed(version.target, f"source run {version.run_id}")


def check_artifacts(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """Every artifact path in `evidence.artifacts` exists in the version's run.

    The defaults are the source design's evidence: `documentation/model_card.yaml` (the model
    card) and `validation/report.txt` (the validation report). Paths are relative to the run's
    artifact root; a path under the logged model's name (e.g. `model/MLmodel`) is looked up in the
    logged model's own artifacts.
    """
    if version.run is None:
        return
    present = set(version.artifacts or ())
    required = list(policy.section("evidence")["artifacts"])
    missing = [p for p in required if p.strip("/") not in present]
    for path in missing:
        yield ARTIFACTS.failed(version.target, f"required artifact {path!r} is missing",
                               hint=f"log it with mlflow.log_artifact(..., artifact_path={_parent(path)!r})")
    if not missing:
        yield ARTIFACTS.passed(version.target, f"{len(required)} required artifact(s) present")


def check_requirements(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """The run records its Python dependencies: any one of `evidence.requirements` exists.

    Defaults: `requirements.txt`, `model/requirements.txt` (what `mlflow.<flavor>.log_model`
    writes) and `dependencies/requirements.txt` (the source design's location).
    """
    if version.run is None:
        return
    options = list(policy.section("evidence")["requirements"])
    if not options:
        yield REQUIREMENTS.passed(version.target, "no requirements file required by the policy")
        return
    present = set(version.artifacts or ())
    found = [p for p in options if p.strip("/") in present]
    found += sorted(p for p in present if p.endswith("/requirements.txt")  # the model's own, any path
                    and f"{p[:-len('requirements.txt')]}MLmodel" in present)
    if found:
        yield REQUIREMENTS.passed(version.target, f"requirements file {found[0]!r} present")
    else:
        yield REQUIREMENTS.failed(version.target, "no requirements file: expected one of "
                                  + ", ".join(repr(p) for p in options))


def check_description(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """The model version has a description (`evidence.require_description`, default true).

    A registry entry with no description tells a reviewer nothing about what changed.
    """
    if not policy.section("evidence")["require_description"]:
        return
    if (version.description or "").strip():
        yield DESCRIPTION.passed(version.target, "description present")
    else:
        yield DESCRIPTION.failed(version.target, "model version has no description",
                                 hint="set one with MlflowClient().update_model_version(name, version, "
                                      "description=...)")


def _description_approved(version: ModelVersionRecord) -> bool:
    return (version.description or "").lstrip().startswith("Approved")


def _recorded_approvals(version: ModelVersionRecord, policy: Policy) -> tuple[bool, list[Finding]]:
    """The approvals family's findings on this version, and whether they pass."""
    found = list(approvals.quorum(version, policy))
    ok = bool(found) and not any(f.status in (Status.FAIL, Status.ERROR) for f in found)
    return ok, found


def check_approval(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """Approval evidence is present, as `evidence.approval` requires.

    `description`: the version's description starts with "Approved" (the source design's
    convention). `approvals`: the version carries enough recorded approvals (`mlgov approve`).
    `either` (default): one of the two. `none`: no approval evidence is required. With
    `approval.require_signature`, a description never counts: only signed approvals do.
    """
    mode = policy.section("evidence")["approval"]
    target = version.target
    if mode == "none":
        return
    if policy.section("approval")["require_signature"]:
        yield from _signed_only(version, policy, mode)
        return
    by_description = _description_approved(version)
    if mode == "description" or (mode == "either" and by_description):
        if by_description:
            yield APPROVAL.passed(target, "description starts with 'Approved'")
        else:
            yield APPROVAL.failed(target, "no approval: the description does not start with 'Approved'",
                                  hint="approve the version: a description starting with 'Approved'")
        return
    ok, found = _recorded_approvals(version, policy)
    if mode == "approvals":
        yield from found
        if ok:
            yield APPROVAL.passed(target, "recorded approvals meet the policy")
        else:
            yield APPROVAL.failed(target, "recorded approvals do not meet the policy")
        return
    if ok:  # either, approved by records
        yield from found
        yield APPROVAL.passed(target, "recorded approvals meet the policy")
        return
    yield from (f for f in found if f.status not in (Status.FAIL, Status.ERROR))
    why = "; ".join(f.message for f in found if f.status in (Status.FAIL, Status.ERROR))
    yield APPROVAL.failed(target, "no approval: the description does not start with 'Approved' and the "
                          "recorded approvals do not meet the policy" + (f" ({why})" if why else ""),
                          hint="record approvals (mlgov approve) or start the description with 'Approved'")


def _signed_only(version: ModelVersionRecord, policy: Policy, mode: str) -> Iterator[Finding]:
    """With `approval.require_signature`, a description anyone with EDIT can write is a claim: only
    signed, content-bound approvals count, whatever `evidence.approval` says."""
    target = version.target
    ok, found = _recorded_approvals(version, policy)
    yield from found
    claim = " (a description starting with 'Approved' is a claim, not a signed approval)" if (
        _description_approved(version) or mode == "description") else ""
    if ok:
        yield APPROVAL.passed(target, "signed approvals meet the policy")
        return
    why = "; ".join(f.message for f in found if f.status in (Status.FAIL, Status.ERROR))
    yield APPROVAL.failed(target, "no approval: the signed approvals do not meet the policy"
                          + (f" ({why})" if why else "") + claim,
                          hint="approvers sign with `mlgov approve` using a key on the allowed-signers list")


def _tags(check: Check, target: str, tags: Mapping[str, str], required: list[str],
          where: str) -> Iterator[Finding]:
    missing = [k for k in required if not (tags.get(k) or "").strip()]
    for key in missing:
        yield check.failed(target, f"{where} tag {key!r} is missing or empty")
    if required and not missing:
        yield check.passed(target, f"{where} tags present: {', '.join(required)}")


def check_run_tags(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """The source run carries every tag in `evidence.run_tags` (e.g. team, project, framework)."""
    if version.run is not None:
        yield from _tags(RUN_TAGS, version.target, version.run.tags,
                         list(policy.section("evidence")["run_tags"]), "run")


def check_version_tags(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """The model version carries every tag in `evidence.version_tags`."""
    yield from _tags(VERSION_TAGS, version.target, version.tags,
                     list(policy.section("evidence")["version_tags"]), "model version")


def check_semantic_version(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """With `evidence.require_semantic_version`, the version's `semantic_version` tag is a valid
    semantic version (semver.org 2.0.0) strictly greater than that of every earlier version.

    The source design tags each registered version with a semantic version next to MLflow's own
    integer version number; `mlgov next-version MODEL` prints the next one. Earlier versions
    without a valid tag are not compared.
    """
    if not policy.section("evidence")["require_semantic_version"]:
        return
    from mlgov_checks.governance import semver

    value = (version.tags.get(SEMVER_TAG) or "").strip()
    parsed = semver.try_parse(value) if value else None
    if not value:
        yield SEMANTIC_VERSION.failed(version.target, f"model version tag {SEMVER_TAG!r} is missing",
                                      hint="tag it with `mlgov next-version MODEL`'s answer")
        return
    if parsed is None:
        yield SEMANTIC_VERSION.failed(version.target, f"{SEMVER_TAG}={value!r} is not a semantic version")
        return
    earlier = [(n, semver.try_parse(t)) for n, t in version.earlier_semantic_versions if t]
    top = max(((v, n) for n, v in earlier if v is not None), default=None, key=lambda x: x[0])
    if top is not None and not parsed > top[0]:
        yield SEMANTIC_VERSION.failed(
            version.target, f"{SEMVER_TAG}={value} is not greater than {top[0]} of version {top[1]}",
            hint="semantic versions must increase with each registered version")
    else:
        yield SEMANTIC_VERSION.passed(version.target, f"{SEMVER_TAG}={value}")


def _parent(path: str) -> str | None:
    head = path.strip("/").rpartition("/")[0]
    return head or None


# Registered here so that `mlgov explain target-reachable` finds it; the gate emits it.
REACHABLE = Check("target-reachable", "Target could be evaluated", """
    The target was found on the tracking server and its records were read. Otherwise the gate
    cannot say whether the model complies: the server was unreachable, refused the credentials
    (401/403), timed out, or the run, model, version or alias does not exist. This is exit 3, and
    the other targets are still evaluated.
    """, "check the target and --tracking-uri / MLFLOW_TRACKING_URI")
SOURCE_RUN = check_from(check_source_run, "evidence-source-run", "Version has a source run")
ARTIFACTS = check_from(check_artifacts, "evidence-artifacts", "Required artifacts are logged")
REQUIREMENTS = check_from(check_requirements, "evidence-requirements", "Dependencies are recorded",
                          hint="log a requirements.txt (log_model writes model/requirements.txt)")
DESCRIPTION = check_from(check_description, "evidence-description", "Version has a description")
APPROVAL = check_from(check_approval, "evidence-approval", "Approval evidence is present")
RUN_TAGS = check_from(check_run_tags, "evidence-run-tags", "Run carries the required tags",
                      hint="set them with mlflow.set_tags({...}) in the training run")
VERSION_TAGS = check_from(check_version_tags, "evidence-version-tags", "Version carries the required tags",
                          hint="set them with MlflowClient().set_model_version_tag(...)")
SEMANTIC_VERSION = check_from(check_semantic_version, "evidence-semantic-version",
                              "Version has a semantic version tag")

CHECKS = (REACHABLE, SOURCE_RUN, MODEL_ORIGIN, SIGNATURE, ARTIFACTS, REQUIREMENTS, DESCRIPTION, APPROVAL, RUN_TAGS,
          VERSION_TAGS, SEMANTIC_VERSION)

EVALUATORS: tuple[Callable[[ModelVersionRecord, Policy], Iterator[Finding]], ...] = (
    check_source_run, check_model_origin, check_model_signature, check_artifacts, check_requirements,
    check_description, check_approval, check_run_tags, check_version_tags, check_semantic_version,
    check_card_artifact, check_card_metrics, check_card_signature)


SUBJECT = "version"
PREFIXES = ("evidence", "target")  # the check-id prefixes this family owns


def needs(policy: Policy) -> dict[str, Any]:
    """What the backend must fetch: the artifact paths and the logged card the policy asks for."""
    conf = policy.section("evidence")
    bound = conf["approval"] in ("approvals", "either")  # approvals name the digest of the model files
    signed = bool(policy.section("model_signature")["required"])  # a signature covers the model files
    return {"evidence": True, "artifacts": tuple(conf["artifacts"]), "requirements": tuple(conf["requirements"]),
            "card_artifact": conf.get("card_artifact") or None,
            "card_max_bytes": int(policy.section("card")["max_bytes"]), "model_file": True,
            **({"model_digest_tag_prefix": approvals.PREFIX} if bound else {}),
            **({"model_digest": True, "model_signature": True} if signed else {})}


def evaluate(version: ModelVersionRecord, ctx: Context) -> Iterator[Finding]:
    """Every evidence check on one model version, in a stable order."""
    for func in EVALUATORS:
        yield from func(version, ctx.policy)


UNREADABLE = REACHABLE  # the check the gate reports a target it cannot read with


def runless(version: ModelVersionRecord, ctx: Context) -> Iterator[Finding]:
    """What the gate says of a version whose run cannot be read, when other families needed it."""
    return check_source_run(version, ctx.policy)
