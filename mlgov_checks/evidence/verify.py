"""Which recorded approvals of a version count, and why each other one does not: `verify()`.

One plain function for every caller (the gate, `mlgov promote`, a registry-side server plugin):
`verify(version, policy, signers)` reads only the version record (its tags, run, card and model
digest) and the allowed signers, and returns a Verdict. An approval counts when its statement
parses, names this version, still matches it (model files, card, source run, policy), is signed by
a listed key that may sign now when it is signed (and must be, under `approval.require_signature`),
names a person who may approve, and is the first of that person (one key, one person).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass

from mlgov_checks.errors import PolicyError
from mlgov_checks.evidence import binding, keysign
from mlgov_checks.evidence.approval_record import Record, recorded
from mlgov_checks.evidence.keysign import Proof as Proof
from mlgov_checks.evidence.signers import AllowedSigners, SignersError, parse
from mlgov_checks.governance import identity, roles
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord


@dataclass(frozen=True)
class Counted:
    record: Record
    person: str  # the key's principal when signed, else the name the record claims
    proof: Proof
    names: tuple[str, ...]  # every name this person goes by (all the key's principals)
    fingerprint: str | None = None

    @property
    def approver(self) -> str:
        return self.person

    @property
    def time(self) -> str:
        return self.record.approval.time

    @property
    def comment(self) -> str:
        return self.record.approval.comment


@dataclass(frozen=True)
class Refused:
    key: str
    who: str
    reason: str

    @property
    def stale(self) -> bool:
        """It was bound to the version as it was: the model files, card, run or policy changed since."""
        return self.reason.startswith(STALE)


class Standing(str, enum.Enum):
    """What one recorded approval is, as audit and inventory show it."""

    PROOF = "proof"  # signed by an allowed signer and bound to the version as it is now
    CLAIM = "claim"  # unsigned: counted only because the policy does not require signatures
    STALE = "stale"  # bound to what the version was: it changed since
    REFUSED = "refused"  # does not count, for the reason given
    UNVERIFIED = "unverified"  # the content it names was not read (or could not be): not counted


@dataclass(frozen=True)
class Shown:
    who: str
    standing: Standing
    detail: str  # how it is signed, or why it does not count

    def __str__(self) -> str:
        return f"{self.who}: {self.standing.value} ({self.detail})"


@dataclass(frozen=True)
class Verdict:
    counted: tuple[Counted, ...]
    refused: tuple[Refused, ...]

    @property
    def people(self) -> list[str]:
        return [c.person for c in self.counted]

    def shown(self) -> list[Shown]:
        """Every recorded approval (revoked ones aside) with its standing: proof, claim, stale or refused."""
        out = [Shown(c.person, Standing.CLAIM if c.proof is Proof.CLAIM else Standing.PROOF,
                     "unsigned" if c.proof is Proof.CLAIM else f"{c.proof.value}, {c.fingerprint}")
               for c in self.counted]
        out += [Shown(r.who, Standing.STALE if r.stale else Standing.REFUSED,
                      r.reason.removeprefix(STALE) if r.stale else r.reason) for r in self.refused]
        return out


STALE = "it no longer counts: "  # the reason's start when the version changed since it was approved
_CACHE: dict[tuple[str | None, str, str], AllowedSigners] = {}


def load_signers(policy: Policy) -> AllowedSigners | None:
    """The allowed signers `approval.allowed_signers` names, read where the policy was read (at REF under
    `--policy-ref`); None when the policy names none. PolicyError (exit 2) when it cannot be trusted."""
    from mlgov_checks.policy.files import read_named_file

    conf = policy.section("approval")
    path = conf.get("allowed_signers") or ""
    if not path:
        if conf.get("require_signature"):
            raise PolicyError("approval.require_signature needs approval.allowed_signers (the trust root)",
                              file=policy.source)
        return None
    origin = policy.origin
    # A commit never changes, so the file read at a ref is read once per process; a file on disk
    # is read each time (it is small), so a long-running process sees a removed key at once.
    cache_key = (policy.source, origin.commit, path) if origin is not None else None
    if cache_key is not None and cache_key in _CACHE:
        return _CACHE[cache_key]
    named = read_named_file(policy, path, key="approval.allowed_signers")
    try:
        found = parse(named.content, shown=named.shown)
    except SignersError as e:
        raise PolicyError(f"approval.allowed_signers: {e}", file=policy.source) from e
    if cache_key is not None:
        _CACHE[cache_key] = found
    return found


def _signature(rec: Record, signers: AllowedSigners | None, now: dt.datetime) -> tuple[Counted | None, str]:
    """The signed approval's person, or why its signature does not make one."""
    found, why = keysign.verify(rec.payload, keysign.Signature(rec.sshsig, rec.dsse), signers, now,
                                  keysign.APPROVAL)
    if found is None:
        return None, why
    return Counted(rec, found.names[0], found.proof, found.names, found.fingerprint), ""


def judge(rec: Record, now: binding.Current, *, signers: AllowedSigners | None, require_signature: bool,
          when: dt.datetime, content: bool = True) -> Counted | str:
    """One record: the approval it proves (or claims), or why it does not count."""
    claimed = rec.approval.approver
    if (hidden := identity.disguised(claimed)) is not None:
        return f"the approver's name is disguised: {hidden}"
    if rec.approval.subject != now.subject:  # replayed from another version
        return f"it approves {rec.approval.subject}, not {now.subject}"
    changed = binding.changes(rec.approval, now) if content else []
    if changed:
        return STALE + "; ".join(changed)
    if not rec.signed:
        if require_signature:
            how = (f"named with --as (the MLflow credentials said {rec.recorded_by!r})" if rec.asserted
                   else "a hand-written or unsigned tag")
            return f"unsigned: {claimed!r} is a claim ({how}); approval.require_signature counts signed approvals only"
        return Counted(rec, claimed, Proof.CLAIM, (claimed,))
    counted, why = _signature(rec, signers, when)
    if counted is None:
        return why
    people = identity.People()
    if not any(people.same(claimed, n) for n in counted.names):
        return f"the statement names {claimed!r}, but it is signed by the key of {', '.join(counted.names)}"
    return counted


def refusal(actor: str, version: ModelVersionRecord, policy: Policy) -> str | None:
    """Why `actor`'s approval of `version` does not count under `policy`, or None when it does."""
    conf = policy.section("approval")
    people = identity.People(policy.data)
    if (hidden := identity.disguised(actor)) is not None:
        return f"the name is disguised: {hidden}"
    allowed = conf["allowed_approvers"]
    if allowed and not people.listed(actor, allowed):
        return f"{actor!r} is not in approval.allowed_approvers"
    ok, why = roles.permitted(actor, roles.Action.APPROVE, policy)
    if not ok:
        return why
    if conf["forbid_author"] and (clash := [a for a in authors(version) if people.same(actor, a)]):
        return f"{actor!r} is the run's author ({clash[0]}): no self-approval"
    rev = reviewer(version, policy)
    if conf["forbid_reviewer"] and rev and people.same(actor, rev):
        return f"{actor!r} reviewed the code (approval.forbid_reviewer)"
    return None


def authors(version: ModelVersionRecord) -> list[str]:
    """Who made the version's run, and the run its model comes from when that is another one."""
    origin = version.model_origin
    runs = [r for r in (version.run, origin.run if origin is not None else None) if r is not None]
    found = [name for run in runs for name in (run.tags.get("mlflow.user") or "", run.user or "")]
    return [a for a in dict.fromkeys(found) if a.strip()]


def reviewer(version: ModelVersionRecord, policy: Policy) -> str | None:
    if version.run is None:
        return None
    value = version.run.value(policy.section("provenance")["review"]["reviewer_key"])
    return value.strip() if value and value.strip() else None


def verify(version: ModelVersionRecord, policy: Policy, signers: AllowedSigners | None = None, *,
           now: dt.datetime | None = None, content: bool = True) -> Verdict:
    """The approvals of `version` that count under `policy`, and every other one with its reason.

    `signers`: the trust root (default: the file `approval.allowed_signers` names, read where the
    policy was read). Revoked approvals drop silently: withdrawing is always allowed.
    `content=False` (listings that do not read model files: inventory, audit pages) skips only the
    comparison with the version's model files, card and policy; the gate never does.
    """
    when = now or dt.datetime.now(dt.timezone.utc)
    conf = policy.section("approval")
    trusted = signers if signers is not None else load_signers(policy)
    state = binding.current(version, policy.sha256)
    people = identity.People(policy.data)
    counted: list[Counted] = []
    refused: list[Refused] = []
    for key, rec, problem in recorded(version.tags):
        if rec is None:
            refused.append(Refused(key, key.removeprefix("mlgov.approval."), problem or "not an approval"))
            continue
        if rec.revoked:
            continue
        verdict = judge(rec, state, signers=trusted, require_signature=bool(conf.get("require_signature")),
                        when=when, content=content)
        if isinstance(verdict, str):
            refused.append(Refused(key, rec.approval.approver, verdict))
        elif (why := refusal(verdict.person, version, policy)) is not None:
            refused.append(Refused(key, verdict.person, why))
        elif (first := next(_same_person(verdict, counted, people), None)) is not None:
            refused.append(Refused(key, verdict.person, f"the same person as {first.person}, whose approval "
                                                        "already counts (one person, one approval)"))
        else:
            counted.append(verdict)
    return Verdict(tuple(counted), tuple(refused))


def _same_person(one: Counted, counted: list[Counted], people: identity.People) -> Iterator[Counted]:
    for other in counted:
        same_key = one.fingerprint is not None and one.fingerprint == other.fingerprint
        if same_key or any(people.same(a, b) for a in one.names for b in other.names):
            yield other
