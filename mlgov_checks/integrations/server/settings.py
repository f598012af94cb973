"""The server's own configuration and policy: read from files it is configured with, never from a
request or the registry, and read again whenever their content changes.

`MLGOV_SERVER_CONFIG` names a YAML file:

    policy: /srv/governance            # the policy file, or a directory (a git checkout) holding it
    allowed_signers: allowed_signers   # optional; relative paths are relative to the config file
    gate_users: [mlgov-ci]             # the gate's identities (authenticated user names)
    break_glass:
      enabled: false                   # off unless the operator turns it on
      users: [ops-oncall]              # who may break the glass (empty: any authenticated user)
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlgov_checks.errors import PolicyError, UsageError
from mlgov_checks.policy.defaults import POLICY_NAMES
from mlgov_checks.policy.load import Policy, policy_from_bytes
from mlgov_checks.yamlio import loader as yamldoc

CONFIG_ENV = "MLGOV_SERVER_CONFIG"
BREAK_GLASS_HEADER = "X-Mlgov-Break-Glass"  # carries the reason; honoured only when enabled
_KEYS = {"policy", "allowed_signers", "gate_users", "break_glass"}
_GLASS_KEYS = {"enabled", "users"}


@dataclass(frozen=True)
class ServerConfig:
    source: str  # the configuration file
    policy: str  # the policy file, absolute
    allowed_signers: str | None = None
    gate_users: tuple[str, ...] = ()
    break_glass: bool = False
    break_glass_users: tuple[str, ...] = ()

    def is_gate(self, user: str | None) -> bool:
        """Authenticated names are compared exactly: the server vouched for this spelling."""
        return user is not None and user in self.gate_users

    def may_break_glass(self, user: str | None) -> bool:
        if not self.break_glass:
            return False
        return not self.break_glass_users or (user is not None and user in self.break_glass_users)


def _names(value: Any, where: str, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(f"{source}: {where} must be a list of user names")
    return tuple(v.strip() for v in value)


def _policy_file(path: str, source: str) -> str:
    if os.path.isdir(path):
        for name in (*POLICY_NAMES, "pyproject.toml"):
            candidate = os.path.join(path, name)
            if os.path.isfile(candidate):
                return candidate
        raise UsageError(f"{source}: no policy file ({', '.join(POLICY_NAMES)}, pyproject.toml) in {path}")
    if not os.path.isfile(path):
        raise UsageError(f"{source}: policy {path} does not exist")
    return path


def load_config(env: Mapping[str, str] | None = None) -> ServerConfig:
    """The configuration `MLGOV_SERVER_CONFIG` names; UsageError when it is missing or wrong."""
    environ = os.environ if env is None else env
    source = (environ.get(CONFIG_ENV) or "").strip()
    if not source:
        raise UsageError(f"{CONFIG_ENV} is not set: it names the server's configuration file")
    source = os.path.abspath(source)
    if not os.path.isfile(source):
        raise UsageError(f"{CONFIG_ENV}: {source} does not exist")
    doc = yamldoc.load_file(source, display_path=source, timestamps=False)
    for problem in doc.problems:
        raise UsageError(f"{source}:{problem.mark.line}: {problem.message}")
    data = doc.data if isinstance(doc.data, dict) else None
    if data is None:
        raise UsageError(f"{source}: expected a mapping with at least `policy:`")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise UsageError(f"{source}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}")
    base = os.path.dirname(source)
    policy = data.get("policy")
    if not isinstance(policy, str) or not policy.strip():
        raise UsageError(f"{source}: `policy:` must name the policy file or the directory holding it")
    signers = data.get("allowed_signers")
    if signers is not None and not isinstance(signers, str):
        raise UsageError(f"{source}: `allowed_signers:` must be a path")
    glass = data.get("break_glass") or {}
    if not isinstance(glass, dict) or set(glass) - _GLASS_KEYS or not isinstance(glass.get("enabled", False), bool):
        raise UsageError(f"{source}: break_glass takes enabled (true/false) and users (a list)")
    return ServerConfig(
        source=source, policy=_policy_file(os.path.join(base, policy.strip()), source),
        allowed_signers=os.path.join(base, signers) if signers else None,
        gate_users=_names(data.get("gate_users"), "gate_users", source),
        break_glass=bool(glass.get("enabled", False)),
        break_glass_users=_names(glass.get("users"), "break_glass.users", source))


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise PolicyError(f"cannot read {path}: {e.strerror}") from e


class PolicySource:
    """The server's policy, parsed again whenever the bytes of its files change.

    Each call reads the files (small, and only on protected requests) and compares their digest
    with the one parsed last: an edit, a `git pull` or a replaced symlink is seen on the next
    protected request, by every worker. An invalid new policy raises PolicyError: the server
    refuses protected requests until it is fixed, and never falls back to an older policy.
    """

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._digest: str | None = None
        self._policy: Policy | None = None

    def files(self) -> list[str]:
        return [self.config.policy, *([self.config.allowed_signers] if self.config.allowed_signers else [])]

    def current(self) -> Policy:
        contents = [_read(p) for p in self.files()]
        digest = hashlib.sha256(b"\0".join(hashlib.sha256(c).digest() for c in contents)).hexdigest()
        with self._lock:
            if digest != self._digest or self._policy is None:
                self._policy = None
                policy = policy_from_bytes(contents[0], shown=self.config.policy)
                if policy is None:
                    raise PolicyError("no [tool.mlgov] table", file=self.config.policy)
                self._policy, self._digest = policy, digest
            return self._policy

    @property
    def signers(self) -> bytes | None:
        """The allowed-signers file's content as of the last `current()`."""
        return _read(self.config.allowed_signers) if self.config.allowed_signers else None
