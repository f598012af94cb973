"""Decision records signed by their actor, and what the audit says of each record's signature.

`mlgov promote` and `mlgov check --record` given `--sign-with KEY` (an SSH key, as for approvals) or
`--key-file PATH` (a CI key file, DSSE) sign each record they log: the signature covers the record's
chained fields (the bytes of its digest, `prev` included, so its place in the chain too) in the
namespace `mlgov-decision`, and the actor the record names is the key's principal in
`approval.allowed_signers`. The audit verifies every signed record against that file (read where
the policy is read, at the base ref under `--policy-ref`); with `approval.require_signed_decisions`
an unsigned record counts for nothing as well. A record whose signature fails, or whose key is not
(or no longer) on the list, is a finding naming the record, and it vouches for nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from mlgov_checks.errors import PolicyError, UsageError
from mlgov_checks.evidence import dsse, issue, keysign, sshsig
from mlgov_checks.evidence.keysign import DECISION, SigningKey
from mlgov_checks.evidence.signers import AllowedSigners
from mlgov_checks.evidence.verify import load_signers
from mlgov_checks.governance import chain, identity
from mlgov_checks.governance.decisions import Decision, Field
from mlgov_checks.policy.load import Policy

REQUIRE = "require_signed_decisions"  # the policy key, in `approval`
Sign = Callable[[bytes], str]  # a record's payload -> its `signature` field (JSON)
Judge = Callable[[Decision], "str | None"]  # a record -> what is wrong with its signature, None when nothing


@dataclass(frozen=True)
class Actor:
    """Who a command's decisions name, and how they are signed (None: unsigned)."""

    name: str
    sign: Sign | None = None


def required(policy: Policy) -> bool:
    return bool(policy.section("approval").get(REQUIRE))


def actor(key: SigningKey | None, name: str, policy: Policy, *, asserted: bool) -> Actor:
    """The actor of the command's decisions: `name`, or with a key the key's principal (refused, before
    anything is written, when the key is not on the list or `--as` names someone else). UsageError
    (exit 2) when signatures are required and no key is given, or the key cannot sign."""
    if key is None:
        if required(policy):
            raise UsageError(f"approval.{REQUIRE}: this decision must be signed by its actor",
                             hint="give --sign-with KEY (an SSH key; `git`: git's user.signingkey) "
                                  "or --key-file PATH")
        return Actor(name)
    signers = load_signers(policy)
    if signers is None:
        raise PolicyError("signing a decision needs approval.allowed_signers (the keys the audit trusts)",
                          file=policy.source)
    try:
        holder = issue.key_holder(key, name, asserted=asserted, signers=signers, probe=b"mlgov decision key probe")
    except (sshsig.SshSigError, dsse.DsseError) as e:
        raise UsageError(f"the signing key cannot sign: {e}") from e

    def sign(payload: bytes) -> str:
        try:
            signed = keysign.sign(payload, key, DECISION)
        except (sshsig.SshSigError, dsse.DsseError) as e:
            raise UsageError(f"the signing key cannot sign the decision: {e}") from e
        return json.dumps(signed.to_dict(), sort_keys=True)

    return Actor(holder, sign)


def judge(policy: Policy, *, now: dt.datetime | None = None) -> Judge:
    """What is wrong with each record's signature under `policy` (None: nothing, or it is unsigned and
    signatures are not required). The allowed signers are read once."""
    signers = load_signers(policy)
    must = required(policy)
    if must and signers is None:
        raise PolicyError(f"approval.{REQUIRE} needs approval.allowed_signers (the trust root)", file=policy.source)
    when = now or dt.datetime.now(dt.timezone.utc)
    cache: dict[str, str | None] = {}

    def problem(d: Decision) -> str | None:
        if d.run_id not in cache:
            cache[d.run_id] = _problem(d, signers, must, when)
        return cache[d.run_id]

    return problem


def _problem(d: Decision, signers: AllowedSigners | None, must: bool, when: dt.datetime) -> str | None:
    raw = d.get(Field.SIGNATURE)
    if not raw:
        return f"is unsigned: approval.{REQUIRE} counts records signed by their actor only" if must else None
    try:
        sig = keysign.parse(json.loads(raw))
    except ValueError:
        sig = None
    if sig is None:
        return "carries a signature that is not one (malformed)"
    if signers is None and not must:
        return None  # nothing to verify it with: judged as an unsigned record
    found, why = keysign.verify(chain.payload(d.fields), sig, signers, when, DECISION)
    if found is None:
        return f"is not signed by an allowed signer: {why}"
    named = d.get(Field.ACTOR)
    if not any(identity.People().same(named, n) for n in found.names):
        return f"names the actor {named!r}, but it is signed by the key of {', '.join(found.names)}"
    return None
