"""Signed models against the real server: `mlgov sign`, then `mlgov check` verifies; the attacker's moves are
made with the plain MLflow client (replace or add a model file, sign with another key, copy a signature)."""

from __future__ import annotations

import itertools
import json
import os
import tempfile

import pytest
from click.testing import CliRunner

from mlgov_checks.cli.app import main
from tests.integration.conftest import Spec, _create_version, compliant_tags
from tests.test_model_signature import certificate_pair, ec_key

pytestmark = pytest.mark.integration
_counter = itertools.count()


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("keys")
    (d / "keys").mkdir()
    ada, ada_pub = ec_key(d, "ada")
    mallory, _ = ec_key(d, "mallory")
    (d / "keys" / "ada.pub").write_bytes(ada_pub.read_bytes())
    leaf_key, leaf, ca = certificate_pair(d, "team")
    (d / "keys" / "team-ca.crt").write_bytes(ca.read_bytes())
    policy = d / "mlgov.yaml"
    policy.write_text("model_signature:\n  required: true\n  public_keys: [keys/ada.pub]\n"
                      "  certificate_chains: [keys/team-ca.crt]\n")
    return {"ada": str(ada), "mallory": str(mallory), "leaf": str(leaf_key), "leaf_cert": str(leaf),
            "ca": str(ca), "policy": str(policy)}


def store_of(store, uri):
    from mlgov_checks.backend.stores import artifact_repository

    return artifact_repository(uri, store.url)


def write_files(repo, files: dict[str, bytes], prefix: str | None = None) -> None:
    """Upload files into an artifact location, as any user with EDIT can."""
    with tempfile.TemporaryDirectory() as tmp:
        for rel, data in files.items():
            local = os.path.join(tmp, os.path.basename(rel))
            with open(local, "wb") as fh:
                fh.write(data)
            folder = os.path.dirname(rel)
            repo.log_artifact(local, "/".join(p for p in (prefix, folder) if p) or None)
            os.remove(local)


def model_files() -> dict[str, bytes]:
    """A model's files; the weights differ from one model to the next."""
    return {"MLmodel": b"flavors: {python_function: {}}\n", "data/weights.bin": os.urandom(2048),
            "requirements.txt": b"pandas\n"}


@pytest.fixture
def make_version(store):
    """A fresh compliant version whose model has files: in the run's `model/` directory, or (MLflow 3,
    `logged=True`) a logged model of the same run."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    exp = client.get_experiment_by_name("governance").experiment_id

    def make(logged: bool = False) -> str:
        name = f"gov-signed-{next(_counter)}-{'logged' if logged else 'run'}"
        rid = _create_version(client, exp, name, Spec(tags=compliant_tags(store.commit)))
        run = client.get_run(rid)
        write_files(store_of(store, run.info.artifact_uri), model_files(), "model")
        if not logged:
            return f"models:/{name}/1"
        model = client.create_logged_model(exp, name="clf", source_run_id=rid)
        write_files(store_of(store, model.artifact_location), model_files())
        from mlflow.entities import LoggedModelStatus

        client.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
        mv = client.create_model_version(name, f"models:/{model.model_id}", run_id=rid, model_id=model.model_id,
                                         description="Approved by the committee")
        return f"models:/{name}/{mv.version}"

    return make


def kinds(store):
    return [False, True] if store.server.kind == "3.x" else [False]


def sign(store, target, *args):
    r = CliRunner().invoke(main, ["sign", target, "--tracking-uri", store.url, *args])
    assert "Traceback" not in r.output
    return r.exit_code, r.output


def check(store, keys, target):
    r = CliRunner().invoke(main, ["check", target, "--tracking-uri", store.url, "--policy", keys["policy"],
                                  "--format", "json"])
    doc = json.loads(r.stdout)
    found = [(f["status"], f["message"]) for f in doc["findings"] if f["check"] == "evidence-model-signature"]
    return r.exit_code, found


def model_location(store, target):
    """(artifact repository, prefix) of a version's model files, as the attacker sees them."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    name, version = target.removeprefix("models:/").split("/")
    mv = client.get_model_version(name, version)
    model_id = getattr(mv, "model_id", None) or (mv.source.removeprefix("models:/")
                                                 if mv.source.startswith("models:/m-") else None)
    if model_id:  # the REST answer may omit model_id: the source names the logged model
        return store_of(store, client.get_logged_model(model_id).artifact_location), None
    return store_of(store, client.get_run(mv.run_id).info.artifact_uri), "model"


def test_signed_by_an_allowed_key_passes(store, keys, make_version):
    for logged in kinds(store):
        target = make_version(logged)
        code, out = sign(store, target, "--key", keys["ada"])
        assert code == 0, out
        assert "signed " + target in out and "3 file(s)" in out and "mlgov/signatures/" in out
        code, found = check(store, keys, target)
        assert code == 0, found
        assert found[0][0] == "pass" and found[0][1].startswith("signed by keys/ada.pub: 3 file(s)")


def test_unsigned_model_fails(store, keys, make_version):
    target = make_version()
    code, found = check(store, keys, target)
    assert code == 1
    assert found[0][0] == "fail" and "the model is not signed" in found[0][1]


def test_weights_replaced_after_signing_fail_naming_the_file(store, keys, make_version):
    for logged in kinds(store):
        target = make_version(logged)
        assert sign(store, target, "--key", keys["ada"])[0] == 0
        repo, prefix = model_location(store, target)
        write_files(repo, {"data/weights.bin": b"poisoned weights"}, prefix)
        code, found = check(store, keys, target)
        assert code == 1
        assert found == [("fail", "the model changed since keys/ada.pub signed it: changed: data/weights.bin")]


def test_file_added_after_signing_fails_naming_it(store, keys, make_version):
    target = make_version()
    assert sign(store, target, "--key", keys["ada"])[0] == 0
    repo, prefix = model_location(store, target)
    write_files(repo, {"data/extra.pkl": b"payload"}, prefix)
    code, found = check(store, keys, target)
    assert code == 1
    assert found == [("fail", "the model changed since keys/ada.pub signed it: added: data/extra.pkl")]


def test_signature_by_a_key_not_allowed_fails(store, keys, make_version):
    target = make_version()
    assert sign(store, target, "--key", keys["mallory"])[0] == 0
    code, found = check(store, keys, target)
    assert code == 1
    assert found[0][0] == "fail" and "is not by an allowed signer" in found[0][1]


def test_signature_copied_from_another_model_fails(store, keys, make_version):
    """A valid signature by the allowed key, over another model, put where this model's signature goes."""
    from mlflow import MlflowClient

    signed, other = make_version(), make_version()
    assert sign(store, signed, "--key", keys["ada"])[0] == 0
    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    run_of = {t: client.get_model_version(*t.removeprefix("models:/").split("/")).run_id for t in (signed, other)}
    with tempfile.TemporaryDirectory() as tmp:
        local = client.download_artifacts(run_of[signed], "mlgov/signatures/model.sig", tmp)
        client.log_artifact(run_of[other], local, "mlgov/signatures")
    code, found = check(store, keys, other)
    assert code == 1
    assert found == [("fail", "the model changed since keys/ada.pub signed it: changed: data/weights.bin")]


def test_certificate_mode_with_the_policys_chain_passes(store, keys, make_version):
    target = make_version()
    code, out = sign(store, target, "--key", keys["leaf"], "--certificate", keys["leaf_cert"], "--chain", keys["ca"])
    assert code == 0, out
    code, found = check(store, keys, target)
    assert code == 0, found
    assert found[0][1].startswith("signed by keys/team-ca.crt")


def test_the_training_helper_signs(store, keys, make_version):
    import mlgov_checks

    target = make_version()
    where = mlgov_checks.sign_model(target, key=keys["ada"], tracking_uri=store.url)
    assert where.endswith("/mlgov/signatures/model.sig")
    assert check(store, keys, target)[0] == 0


def test_each_model_file_is_downloaded_once(store, keys, make_version):
    target = make_version()
    assert sign(store, target, "--key", keys["ada"])[0] == 0
    offset = store.server.log_size()
    assert check(store, keys, target)[0] == 0
    lines = store.server.requests_since(offset)
    downloads = [line.split(" ")[1] for line in lines if line.startswith("GET /api/2.0/mlflow-artifacts/artifacts/")
                 and "/model/" in line]
    assert sorted(d.rsplit("/model/", 1)[1] for d in downloads) == ["MLmodel", "data/weights.bin",
                                                                     "requirements.txt"], lines


def test_a_borrowed_model_is_not_signed(store, keys, make_version):
    """mlgov sign refuses a version whose model does not come from its run, and writes nothing."""
    from mlflow import MlflowClient

    from tests.integration.test_model_origin import register

    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    donor = make_version()
    donor_run = client.get_model_version(*donor.removeprefix("models:/").split("/")).run_id
    if store.server.kind == "3.x":  # MLflow 3 refuses a runs:/ source of another run: borrow a logged model
        exp = client.get_experiment_by_name("governance").experiment_id
        model = client.create_logged_model(exp, name="clf", source_run_id=donor_run)
        other = client.create_run(exp).info.run_id
        target = register(store.url, f"gov-sign-borrowed-{next(_counter)}", source=f"models:/{model.model_id}",
                          run_id=other, model_id=model.model_id)
    else:
        other = client.create_run(client.get_experiment_by_name("governance").experiment_id).info.run_id
        target = register(store.url, f"gov-sign-borrowed-{next(_counter)}", source=f"runs:/{donor_run}/model",
                          run_id=other)
    code, out = sign(store, target, "--key", keys["ada"])
    assert code == 2 and "does not come from its run" in out
    assert not store_of(store, client.get_run(other).info.artifact_uri).list_artifacts("mlgov")  # nothing written
