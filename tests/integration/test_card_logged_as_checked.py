"""`log_model_card` logs the bytes it checked: a file replaced after the check is not what reaches the run."""

from __future__ import annotations

import pytest
import yaml

import mlgov_checks
from mlgov_checks.checks import card as card_checks
from tests.integration.conftest import CARD

pytestmark = pytest.mark.integration

SWAPPED = "purpose: TODO\nowners: [mallory]\n"  # fails the card checks: it must never be logged


def test_a_card_replaced_between_the_check_and_the_upload_is_not_logged(mlflow_server, tmp_path, monkeypatch):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=mlflow_server.url)
    run = client.create_run(client.create_experiment("card-logged-as-checked")).info.run_id
    path = tmp_path / "model_card.yaml"
    good = yaml.safe_dump(CARD, sort_keys=False)
    path.write_text(good, encoding="utf-8")
    real = card_checks.check_file

    def check_then_swap(*args, **kwargs):
        """The check runs, then someone replaces the file before the upload (a second writer, a
        symlink flipped by another process): here, right after the check returns."""
        found = real(*args, **kwargs)
        path.write_text(SWAPPED, encoding="utf-8")
        return found

    monkeypatch.setattr(card_checks, "check_file", check_then_swap)
    artifact = mlgov_checks.log_model_card(str(path), run_id=run, tracking_uri=mlflow_server.url)
    assert path.read_text(encoding="utf-8") == SWAPPED  # the swap happened
    logged = client.download_artifacts(run, artifact, str(tmp_path / "downloaded"))
    with open(logged, encoding="utf-8") as fh:
        assert fh.read() == good
