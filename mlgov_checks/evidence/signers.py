"""The allowed-signers file: who may sign approvals, in ssh-keygen's format (man ssh-keygen, ALLOWED SIGNERS).

One line per key: `principals [options] keytype base64-key [comment]`, options `namespaces="..."`,
`valid-after="..."`, `valid-before="..."` and `cert-authority`, as git's `gpg.ssh.allowedSignersFile`.
ssh-keygen enforces them for SSH signatures; `usable()` enforces the same for DSSE signatures.
A principal is a person: patterns (`*`, `?`, `!`) are refused, since `*@corp.example` would let any
name be claimed; one key is one person whatever the names its lines give it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import fnmatch
from dataclasses import dataclass, field

from mlgov_checks.evidence.sshsig import NAMESPACE, fingerprint


class SignersError(ValueError):
    """The allowed-signers file cannot be trusted as written (the message names the line)."""


@dataclass(frozen=True)
class Signer:
    principals: tuple[str, ...]
    key_type: str
    key: bytes  # the public key blob
    line: int
    options: dict[str, str] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)

    @property
    def openssh(self) -> bytes:
        """`keytype base64` as an OpenSSH public key line (what `cryptography` loads)."""
        return f"{self.key_type} {base64.b64encode(self.key).decode()}".encode()

    def usable(self, now: dt.datetime, namespace: str = NAMESPACE) -> str | None:
        """Why this key cannot sign in `namespace` at `now`, or None when it can."""
        if "cert-authority" in self.options:
            return "is a certificate authority (it certifies keys; it does not sign approvals itself)"
        spaces = self.options.get("namespaces")
        if spaces is not None and not any(fnmatch.fnmatchcase(namespace, p) for p in spaces.split(",")):
            return f"is not allowed the namespace {namespace!r} (namespaces={spaces})"
        after, before = self.options.get("valid-after"), self.options.get("valid-before")
        if after is not None and now < parse_time(after, self.line):
            return f"is not valid before {after} (valid-after)"
        if before is not None and now > parse_time(before, self.line):
            return f"expired at {before} (valid-before)"
        return None


@dataclass(frozen=True)
class AllowedSigners:
    signers: tuple[Signer, ...]
    content: bytes  # handed to ssh-keygen as written
    shown: str  # where it was read: `REF:path` or a path

    def by_key(self, blob: bytes) -> list[Signer]:
        return [s for s in self.signers if s.key == blob]

    def principals_of(self, blob: bytes) -> list[str]:
        """Every principal a key is listed under (one key, one person: all of them are that person)."""
        return list(dict.fromkeys(p for s in self.by_key(blob) for p in s.principals))


def parse_time(text: str, line: int) -> dt.datetime:
    """ssh-keygen's YYYYMMDD[HHMM[SS]][Z] (local time without Z), as an aware datetime."""
    raw = text.strip()
    utc = raw.endswith(("Z", "z"))
    digits = raw[:-1] if utc else raw
    formats = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
    if not digits.isdigit() or len(digits) not in formats:
        raise SignersError(f"line {line}: time {text!r} is not YYYYMMDD[HHMM[SS]][Z]")
    moment = dt.datetime.strptime(digits, formats[len(digits)])
    return moment.replace(tzinfo=dt.timezone.utc) if utc else moment.astimezone()


def _split_options(text: str, line: int) -> dict[str, str]:
    out: dict[str, str] = {}
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j] not in ",=":
            j += 1
        name = text[i:j].lower()
        if j < len(text) and text[j] == "=":
            if j + 1 >= len(text) or text[j + 1] != '"':
                raise SignersError(f"line {line}: option {name} must be quoted: {name}=\"...\"")
            end = text.find('"', j + 2)
            if end < 0:
                raise SignersError(f"line {line}: option {name} has no closing quote")
            out[name] = text[j + 2:end]
            j = end + 1
        else:
            out[name] = ""
        if j < len(text) and text[j] != ",":
            raise SignersError(f"line {line}: cannot read the options {text!r}")
        i = j + 1
    unknown = set(out) - {"cert-authority", "namespaces", "valid-after", "valid-before"}
    if unknown:
        raise SignersError(f"line {line}: unknown option(s) {', '.join(sorted(unknown))}")
    return out


def _fields(text: str) -> list[str]:
    """Whitespace-separated fields, where a quoted run (in options) is one field's part."""
    out, cur, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch.isspace() and not quoted:
            if cur:
                out.append(cur)
                cur = ""
            continue
        cur += ch
    if cur:
        out.append(cur)
    return out


def _key(kind: str, b64: str, line: int) -> bytes:
    try:
        blob = base64.b64decode(b64, validate=True)
    except binascii.Error as e:
        raise SignersError(f"line {line}: the key is not base64") from e
    if not blob.startswith(len(kind).to_bytes(4, "big") + kind.encode()):
        raise SignersError(f"line {line}: the key's type is not {kind}")
    return blob


def parse(content: bytes, *, shown: str) -> AllowedSigners:
    """The signers of an allowed-signers file; SignersError naming the line when one cannot be read."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SignersError(f"{shown} is not UTF-8") from e
    signers: list[Signer] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = _fields(line)
        if len(parts) < 3:
            raise SignersError(f"{shown}:{number}: expected `principals [options] keytype key`")
        principals = tuple(p for p in parts[0].split(",") if p)
        wild = [p for p in principals if any(c in p for c in "*?!")]
        if wild:
            raise SignersError(f"{shown}:{number}: principal {wild[0]!r} is a pattern; a principal is one person")
        has_options = not (parts[1].startswith(("ssh-", "ecdsa-", "sk-")))
        options = _split_options(parts[1], number) if has_options else {}
        kind, b64 = (parts[2], parts[3]) if has_options and len(parts) > 3 else (parts[1], parts[2])
        if has_options and len(parts) < 4:
            raise SignersError(f"{shown}:{number}: expected `principals [options] keytype key`")
        signers.append(Signer(principals, kind, _key(kind, b64, number), number, options))
    return AllowedSigners(tuple(signers), content, shown)
