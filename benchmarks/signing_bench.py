"""The gate on N signed model versions, with and without signature checks, side by side in one run.

    python benchmarks/signing_bench.py [--versions 200] [--repeats 3] [--weights-kib 256]
                                       [--out benchmarks/out/signing.md]

Starts `mlflow server` (sqlite, served artifacts, loopback only) in a temporary directory and
populates one registered model with N versions, each with its own run, card, validation report and
a model directory (`model/MLmodel`, `model/requirements.txt`, `model/data/weights.bin` of
--weights-kib KiB), signed in the OpenSSF model-signing format (key mode, a P-256 key made here) and
its signature stored where `mlgov sign` stores it, and two approvals (carol's and dave's, SSH keys
made here with ssh-keygen) that state the version's content and are signed as `mlgov approve
--sign-with` signs them. Then times, in the same process and on the same server,
`mlgov_checks.gate.run` over all N versions under four policies: no signature checks (approval by
the description), `model_signature.required` (every model file streamed once and hashed, the
signature verified against the policy's public key), and `approval.require_signature` (the files
hashed once for the content binding, two `ssh-keygen -Y verify` per version against the
allowed signers). Prints a Markdown table: median wall time, requests, ratio to the first.
Needs the model-signing and signing extras.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gate_bench import CARD, RUN_TAGS, Counter, measure, start_server, stop_server  # noqa: E402

MODEL = "bench-signed"


def make_key(base: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private, public = base / "signer.pem", base / "signer.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


APPROVERS = ("carol", "dave")
PLAIN = "evidence:\n  approval: description\n"
MODEL_SIGNED = "model_signature:\n  required: true\n  public_keys: [signer.pub]\n"
APPROVALS_SIGNED = ("evidence:\n  approval: approvals\napproval:\n  min_approvals: 2\n  require_signature: true\n"
                    "  allowed_signers: allowed_signers\n")


def approvers(base: Path) -> dict[str, Path]:
    """An SSH key per approver (ssh-keygen) and the allowed-signers file listing them."""
    import subprocess

    keys, lines = {}, []
    for who in APPROVERS:
        path = base / f"{who}_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", str(path)], check=True)
        keys[who] = path
        lines.append(f"{who} " + " ".join(Path(f"{path}.pub").read_text().split()[:2]))
    (base / "allowed_signers").write_text("\n".join(lines) + "\n")
    return keys


def approve_all(url: str, n: int, base: Path, keys: dict[str, Path], policy_sha256: str) -> None:
    """Two signed approvals per version, stating its content as `mlgov approve` does."""
    from mlflow import MlflowClient

    from mlgov_checks.evidence import digests, sshsig
    from mlgov_checks.evidence.approval_record import Record, approval_key
    from mlgov_checks.evidence.statement import Approval

    client = MlflowClient(tracking_uri=url, registry_uri=url)
    card = digests.sha256_bytes(yaml.safe_dump(CARD, sort_keys=False).encode())
    for v in range(1, n + 1):
        mv = client.get_model_version(MODEL, str(v))
        root = (base / "digests" / mv.run_id).read_text()
        for who in APPROVERS:
            stated = Approval(MODEL, str(v), root, mv.run_id, card, policy_sha256, who, "2026-01-05T10:00:00Z")
            payload = stated.payload()
            record = Record(approval_key(who), stated, payload, sshsig=sshsig.sign(payload, str(keys[who])))
            client.set_model_version_tag(MODEL, str(v), record.key, record.to_json())


def populate(url: str, n: int, weights: int, private: Path, base: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from mlflow import MlflowClient
    from mlflow.entities import Metric

    from mlgov_checks.evidence import digests, modelsig

    client = MlflowClient(tracking_uri=url, registry_uri=url)
    exp = client.create_experiment("bench")
    client.create_registered_model(MODEL)
    card = yaml.safe_dump(CARD, sort_keys=False)

    def one(i: int) -> str:
        rid = client.create_run(exp, tags=RUN_TAGS, run_name=f"train-{i}").info.run_id
        now = int(time.time() * 1000)
        client.log_batch(rid, metrics=[Metric("accuracy", 0.87, now, 0), Metric("drift_score", 0.04, now, 0)])
        client.log_text(rid, card, "documentation/model_card.yaml")
        client.log_text(rid, "holdout accuracy 0.87\n", "validation/report.txt")
        with tempfile.TemporaryDirectory(dir=base) as tmp:
            model = Path(tmp, "model")
            (model / "data").mkdir(parents=True)
            (model / "MLmodel").write_text("flavors:\n  python_function: {loader_module: mlflow.pyfunc.model}\n")
            (model / "requirements.txt").write_text("scikit-learn==1.5.0\n")
            (model / "data" / "weights.bin").write_bytes(os.urandom(weights))
            signature = Path(tmp, "model.sig")
            modelsig.sign_directory(str(model), str(signature), private_key=str(private))
            (base / "digests").mkdir(exist_ok=True)
            (base / "digests" / rid).write_text(digests.digest_directory(str(model)).root)
            client.log_artifacts(rid, str(model), "model")
            client.log_artifact(rid, str(signature), "mlgov/signatures")
        client.set_terminated(rid)
        return rid

    with ThreadPoolExecutor(8) as pool:
        run_ids = list(pool.map(one, range(n)))
    for rid in run_ids:
        client.create_model_version(MODEL, f"runs:/{rid}/model", run_id=rid, description="Approved",
                                    await_creation_for=0)


def gate(url: str, n: int, policy) -> tuple[int, int]:
    """(versions evaluated, signature checks that passed: the model's, and each counted signed approval)."""
    from mlgov_checks import backend
    from mlgov_checks import gate as runner
    from mlgov_checks.findings import Status

    reader = backend.connect(url, timeout=60).reader
    result = runner.run([f"models:/{MODEL}/{v}" for v in range(1, n + 1)], policy, runner.GateOptions(), reader)
    errors = [f for f in result.findings if f.status is Status.ERROR]
    if errors:
        raise SystemExit(f"the gate could not evaluate: {errors[0].message}")
    signed = sum(1 for f in result.findings if f.check == "evidence-model-signature" and f.status is Status.PASS)
    counted = sum(2 for f in result.findings if f.check == "approval-quorum" and f.status is Status.PASS
                  and f.message.startswith("2 valid approval(s)"))
    return len(result.targets), signed + counted


MODES = (("no signature checks (approval by description)", PLAIN), ("model_signature.required", MODEL_SIGNED),
         ("approval.require_signature (2 SSH-signed approvals)", APPROVALS_SIGNED))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--weights-kib", type=int, default=256)
    ap.add_argument("--out", default=None, help="also write the Markdown table here")
    args = ap.parse_args()
    from mlgov_checks.policy.load import load_policy

    n, counter = args.versions, Counter()
    with tempfile.TemporaryDirectory(prefix="mlgov-signing-bench-") as tmp:
        base = Path(tmp)
        private, _ = make_key(base)
        keys = approvers(base)
        policies = []
        for label, text in MODES:
            (base / f"{label}.yaml").write_text(text)
            policies.append(load_policy(str(base / f"{label}.yaml")))
        proc, url = start_server(base, None)
        rows = []
        try:
            t0 = time.perf_counter()
            populate(url, n, args.weights_kib * 1024, private, base)
            approve_all(url, n, base, keys, policies[2].sha256)  # an approval names the policy in force
            print(f"populated {n} signed versions in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            for policy in policies:  # warm up imports (model-signing included) and connections, not measured
                gate(url, 2, policy)
            for (label, _), policy, expected in zip(MODES, policies, (0, n, 2 * n), strict=True):
                t, c, (evaluated, ok) = measure(counter, lambda p=policy: gate(url, n, p), args.repeats)
                if evaluated != n or ok != expected:
                    raise SystemExit(f"sanity ({label}): {evaluated} of {n} versions evaluated, {ok} signatures "
                                     f"verified, {expected} expected")
                rows.append((label, t, c))
        finally:
            stop_server(proc)
    table = render(n, args.repeats, args.weights_kib, rows)
    print(table)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(table, encoding="utf-8")
    return 0


def render(n: int, repeats: int, kib: int, rows: list[tuple[str, float, dict]]) -> str:
    lines = [f"Gating {n} signed model versions (3 model files each, weights {kib} KiB, two signed approvals each; "
             f"median of {repeats} runs; requests counted in the client):", "",
             "| policy | wall time | metadata requests | artifact requests | per version | time vs no checks |",
             "|---|---:|---:|---:|---:|---:|"]
    base = rows[0][1]
    for label, t, c in rows:
        lines.append(f"| {label} | {t:.2f} s | {c.get('metadata', 0)} | {c.get('artifacts', 0)} | "
                     f"{1000 * t / n:.1f} ms | {t / base:.2f}x |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
