"""The gate on N signed model versions, with and without signature checks, side by side in one run.

    python benchmarks/signing_bench.py [--versions 200] [--repeats 3] [--weights-kib 256]
                                       [--out benchmarks/out/signing.md]

Starts `mlflow server` (sqlite, served artifacts, loopback only) in a temporary directory and
populates one registered model with N versions, each with its own run, card, validation report and
a model directory (`model/MLmodel`, `model/requirements.txt`, `model/data/weights.bin` of
--weights-kib KiB), signed in the OpenSSF model-signing format (key mode, a P-256 key made here) and
its signature stored where `mlgov sign` stores it. Then times, in the same process and on the same
server, `mlgov_checks.gate.run` over all N versions with the default policy and with
`model_signature.required` (every model file streamed once and hashed, the signature verified
against the policy's public key). Prints a Markdown table: median wall time, requests, ratio.
Needs the model-signing extra.
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


def populate(url: str, n: int, weights: int, private: Path, base: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from mlflow import MlflowClient
    from mlflow.entities import Metric

    from mlgov_checks.evidence import modelsig

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
    """(versions evaluated, signature checks that passed)."""
    from mlgov_checks import backend
    from mlgov_checks import gate as runner
    from mlgov_checks.findings import Status

    reader = backend.connect(url, timeout=60).reader
    result = runner.run([f"models:/{MODEL}/{v}" for v in range(1, n + 1)], policy, runner.GateOptions(), reader)
    errors = [f for f in result.findings if f.status is Status.ERROR]
    if errors:
        raise SystemExit(f"the gate could not evaluate: {errors[0].message}")
    signed = sum(1 for f in result.findings if f.check == "evidence-model-signature" and f.status is Status.PASS)
    return len(result.targets), signed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--weights-kib", type=int, default=256)
    ap.add_argument("--out", default=None, help="also write the Markdown table here")
    args = ap.parse_args()
    from mlgov_checks.policy.load import default_policy, load_policy

    n, counter = args.versions, Counter()
    with tempfile.TemporaryDirectory(prefix="mlgov-signing-bench-") as tmp:
        base = Path(tmp)
        private, _ = make_key(base)
        policy_file = base / "mlgov.yaml"
        policy_file.write_text("model_signature:\n  required: true\n  public_keys: [signer.pub]\n")
        plain, signed_policy = default_policy(), load_policy(str(policy_file))
        proc, url = start_server(base, None)
        try:
            t0 = time.perf_counter()
            populate(url, n, args.weights_kib * 1024, private, base)
            print(f"populated {n} signed versions in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            gate(url, 2, plain)  # warm up imports (model-signing included) and connections, not measured
            gate(url, 2, signed_policy)
            pt, pc, (pn, _) = measure(counter, lambda: gate(url, n, plain), args.repeats)
            st, sc, (sn, ok) = measure(counter, lambda: gate(url, n, signed_policy), args.repeats)
            if pn != n or sn != n or ok != n:
                raise SystemExit(f"sanity: {pn} and {sn} of {n} versions evaluated, {ok} signatures verified")
        finally:
            stop_server(proc)
    table = render(n, args.repeats, args.weights_kib, (pt, pc), (st, sc))
    print(table)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(table, encoding="utf-8")
    return 0


def render(n: int, repeats: int, kib: int, plain: tuple[float, dict], signed: tuple[float, dict]) -> str:
    (pt, pc), (st, sc) = plain, signed
    lines = [f"Gating {n} signed model versions (3 model files each, weights {kib} KiB; median of {repeats} runs;"
             " requests counted in the client):", "",
             "| policy | wall time | metadata requests | artifact requests | per version |",
             "|---|---:|---:|---:|---:|"]
    for label, t, c in (("default (no signature check)", pt, pc), ("model_signature.required", st, sc)):
        lines.append(f"| {label} | {t:.2f} s | {c.get('metadata', 0)} | {c.get('artifacts', 0)} | "
                     f"{1000 * t / n:.1f} ms |")
    lines.append(f"| **ratio** | **{st / pt:.2f}x the time** | | "
                 f"{sc.get('artifacts', 0) / max(1, pc.get('artifacts', 0)):.2f}x | |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
