"""The protected surface covers every registry request of every supported MLflow server that can change
something: each such handler is in SURFACE or in UNPROTECTED (with its reason), so a new MLflow
endpoint fails here until it is given a row."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from mlgov_checks.integrations.server.surface import SURFACE, UNPROTECTED
from tests.integration.conftest import SERVER_KINDS, server_python

pytestmark = pytest.mark.integration

HANDLERS = """
import json
from mlflow.server import handlers
from mlflow.protos.model_registry_pb2 import ModelRegistryService
found = {}
for path, handler, methods in handlers.get_service_endpoints(ModelRegistryService, handlers.get_handler):
    found.setdefault(handler.__name__, set()).update(methods)
print(json.dumps({name: sorted(verbs) for name, verbs in found.items()}))
"""


@pytest.mark.parametrize("kind", sorted(SERVER_KINDS, reverse=True))
def test_every_registry_handler_that_writes_is_protected_or_explained(kind):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    done = subprocess.run([server_python(kind), "-c", HANDLERS], capture_output=True, text=True, env=env,
                          timeout=300, cwd="/")
    assert done.returncode == 0, done.stderr[-2000:]
    handlers = json.loads(done.stdout.strip().splitlines()[-1])
    writing = {name for name, verbs in handlers.items() if set(verbs) - {"GET"}}
    assert set(SURFACE) <= set(handlers), f"not handlers of MLflow {kind}: {set(SURFACE) - set(handlers)}"
    assert writing - set(SURFACE) - set(UNPROTECTED) == set(), "new registry endpoints: give each a row"
    assert set(UNPROTECTED) <= writing, f"no longer served by MLflow {kind}: {set(UNPROTECTED) - writing}"
