"""SSH signatures through ssh-keygen, DSSE envelopes through securesystemslib, one allowed-signers file."""

from __future__ import annotations

import datetime as dt

import pytest

from mlgov_checks.evidence import dsse, signers, sshsig
from tests.keys import allowed_signers, key_file, ssh_key

NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture
def people(tmp_path):
    ann = ssh_key(tmp_path, "ann")
    bob = ssh_key(tmp_path, "bob", "ecdsa")
    return ann, bob


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa"])
def test_a_listed_ssh_key_verifies_as_its_principal(tmp_path, kind):
    key = ssh_key(tmp_path, "k", kind)
    listed = signers.parse(allowed_signers(tmp_path / "as", ("ann", key.public_line)).read_bytes(), shown="as")
    sig = sshsig.sign(b"statement", str(key.private))
    ok, why = sshsig.verify(b"statement", sig, principal="ann", allowed_signers=listed.content)
    assert ok is not None and why == ""
    kind_seen, blob = sshsig.public_key(sig)
    assert kind_seen == key.public_line.split()[0]
    assert listed.principals_of(blob) == ["ann"]
    assert ok.fingerprint == sshsig.fingerprint(blob)


def test_changed_bytes_another_namespace_and_another_principal_fail(tmp_path, people):
    ann, bob = people
    content = allowed_signers(tmp_path / "as", ("ann", ann.public_line), ("bob", bob.public_line)).read_bytes()
    sig = sshsig.sign(b"statement", str(ann.private))
    assert sshsig.verify(b"statement!", sig, principal="ann", allowed_signers=content)[1] \
        == "Signature verification failed: incorrect signature"
    git_sig = sshsig.sign(b"statement", str(ann.private), namespace="git")
    assert "namespace does not match" in sshsig.verify(b"statement", git_sig, principal="ann",
                                                        allowed_signers=content)[1]
    assert sshsig.verify(b"statement", sig, principal="bob", allowed_signers=content)[0] is None


def test_an_expired_key_and_a_key_for_another_namespace_fail(tmp_path, people):
    ann, bob = people
    content = allowed_signers(tmp_path / "as", ("ann", ann.public_line, 'valid-before="20200101"'),
                              ("bob", bob.public_line, 'namespaces="git"')).read_bytes()
    expired = sshsig.verify(b"s", sshsig.sign(b"s", str(ann.private)), principal="ann", allowed_signers=content)
    assert expired[0] is None and "expired" in expired[1]
    other = sshsig.verify(b"s", sshsig.sign(b"s", str(bob.private)), principal="bob", allowed_signers=content)
    assert other[0] is None
    parsed = signers.parse(content, shown="as")
    assert "expired" in (parsed.signers[0].usable(NOW) or "")
    assert "namespace" in (parsed.signers[1].usable(NOW) or "")


def test_a_missing_signing_key_is_a_clear_error(tmp_path):
    with pytest.raises(sshsig.SshSigError, match="does not exist"):
        sshsig.sign(b"s", str(tmp_path / "nope"))
    with pytest.raises(sshsig.SshSigError, match="armored"):
        sshsig.public_key("not a signature")


def test_principal_patterns_are_refused(tmp_path, people):
    ann, _ = people
    for principal in ("*@corp.example", "ann,b?b", "!eve"):
        with pytest.raises(signers.SignersError, match="is a pattern"):
            signers.parse(f"{principal} {ann.public_line}\n".encode(), shown="as")


def test_allowed_signers_options_are_read(tmp_path, people):
    ann, bob = people
    text = (f"# team\nann,ann@corp.example namespaces=\"mlgov-approval,git\",valid-after=\"20200101\" "
            f"{ann.public_line} laptop\n\nbob valid-before=\"29991231Z\" {bob.public_line}\n")
    parsed = signers.parse(text.encode(), shown="as")
    first, second = parsed.signers
    assert first.principals == ("ann", "ann@corp.example") and first.line == 2
    assert first.options == {"namespaces": "mlgov-approval,git", "valid-after": "20200101"}
    assert first.usable(NOW) is None and second.usable(NOW) is None
    assert "not valid before" in (signers.Signer(("x",), "k", b"", 1, {"valid-after": "29990101"}).usable(NOW) or "")


@pytest.mark.parametrize("text", ['ann valid-before=2020 ssh-ed25519 AAAA', "ann ssh-ed25519 !!!",
                                  "ann", 'ann bogus="1" ssh-ed25519 AAAA'])
def test_unreadable_lines_are_refused(text):
    with pytest.raises(signers.SignersError):
        signers.parse(text.encode(), shown="as")


def test_one_key_on_two_lines_is_one_person(tmp_path, people):
    ann, _ = people
    parsed = signers.parse(f"ann {ann.public_line}\nann2 {ann.public_line}\n".encode(), shown="as")
    _, blob = sshsig.public_key(sshsig.sign(b"s", str(ann.private)))
    assert parsed.principals_of(blob) == ["ann", "ann2"]


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa"])
def test_dsse_envelope_by_a_listed_ci_key(tmp_path, kind):
    path, line = key_file(tmp_path, "ci", kind)
    assert dsse.public_openssh(str(path)).decode() == line
    listed = signers.parse(f"ci-bot {line}\n".encode(), shown="as")
    envelope = dsse.sign(b'{"x":1}', str(path))
    assert dsse.payload_of(envelope) == b'{"x":1}'
    found, why = dsse.verify(envelope, listed, NOW)
    assert found is not None and found.principals == ("ci-bot",) and why == ""


def test_dsse_refuses_an_unlisted_key_a_changed_payload_and_an_expired_key(tmp_path):
    path, line = key_file(tmp_path, "ci")
    _, other = key_file(tmp_path, "other")
    envelope = dsse.sign(b'{"x":1}', str(path))
    assert dsse.verify(envelope, signers.parse(f"ci {other}\n".encode(), shown="as"), NOW)[0] is None
    listed = signers.parse(f"ci {line}\n".encode(), shown="as")
    import base64
    tampered = {**envelope, "payload": base64.b64encode(b'{"x":2}').decode()}
    assert dsse.verify(tampered, listed, NOW)[0] is None
    expired = signers.parse(f'ci valid-before="20200101Z" {line}\n'.encode(), shown="as")
    found, why = dsse.verify(envelope, expired, NOW)
    assert found is None and "expired" in why


def test_a_key_file_that_is_not_a_key_is_a_clear_error(tmp_path):
    bad = tmp_path / "k.pem"
    bad.write_text("nope")
    with pytest.raises(dsse.DsseError, match="not a private key"):
        dsse.sign(b"x", str(bad))
    with pytest.raises(dsse.DsseError, match="cannot read"):
        dsse.sign(b"x", str(tmp_path / "absent.pem"))
