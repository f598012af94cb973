"""Every write: registry tags, aliases and stages, the decision log, and training-run evidence.

Only the commands that were asked to write use it: `mlgov approve`, `promote`, `check --record`
and `log` (and the training helpers). Reads stay in the Reader.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from mlgov_checks.backend.client import Client
from mlgov_checks.backend.reader import DECISIONS_EXPERIMENT, Reader
from mlgov_checks.errors import EvaluationError

T = TypeVar("T")


def _quietly(func: Callable[[], T]) -> T:
    """MLflow prints "View run ... at: URL" to stdout when a run ends: that would corrupt our JSON."""
    with contextlib.redirect_stdout(io.StringIO()):
        return func()


class Writer:
    """Registry and tracking writes through the same Client as the Reader."""

    def __init__(self, client: Client, reader: Reader) -> None:
        self.client = client
        self.reader = reader
        self._c = client.client

    # -- registry ---------------------------------------------------------------------------------

    def set_version_tags(self, name: str, version: str, tags: Mapping[str, str]) -> None:
        """One request per tag: MLflow has no batched model-version tag call."""
        for key, value in tags.items():
            self.client.call(f"models:/{name}/{version}", lambda k=key, v=value: (  # type: ignore[misc]
                self._c.set_model_version_tag(name, version, k, v)))

    def delete_version_tag(self, name: str, version: str, key: str) -> None:
        self.client.call(f"models:/{name}/{version}",
                         lambda: self._c.delete_model_version_tag(name, version, key))

    def set_alias(self, name: str, alias: str, version: str) -> None:
        self.client.call(f"models:/{name}@{alias}",
                         lambda: self._c.set_registered_model_alias(name, alias, version))

    def delete_alias(self, name: str, alias: str) -> None:
        self.client.call(f"models:/{name}@{alias}", lambda: self._c.delete_registered_model_alias(name, alias))

    def transition(self, name: str, version: str, stage: str, *, archive_existing: bool) -> None:
        """Move a version to a legacy stage; MLflow 3 still supports stages but warns on every call."""

        def move() -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                return self._c.transition_model_version_stage(
                    name, version, stage, archive_existing_versions=archive_existing)

        self.client.call(f"models:/{name}/{version}", move)

    # -- the decision log -------------------------------------------------------------------------

    def decisions_experiment(self) -> str:
        """The decision log's experiment id; created on first write (a concurrent creation is fine)."""
        found = self.reader.decisions_experiment()
        if found is not None:
            return found
        what = f"experiment {DECISIONS_EXPERIMENT}"
        try:
            return str(self.client.call(what, lambda: self._c.create_experiment(DECISIONS_EXPERIMENT)))
        except EvaluationError:  # created by another process meanwhile
            found = self.reader.decisions_experiment()
            if found is None:
                raise
            return found

    # -- a decision in steps: opened before any other write, closed after (governance.transaction) --

    def open_decision(self, tags: Mapping[str, str], *, run_name: str) -> str:
        """A new decision-log run, left RUNNING until `close_decision`: its run id."""
        experiment = self.decisions_experiment()
        run = self.client.call("decision log", lambda: self._c.create_run(
            experiment, tags=dict(tags), run_name=run_name))
        return str(run.info.run_id)

    def attach_documents(self, run_id: str, documents: Mapping[str, str]) -> None:
        for path, text in documents.items():
            self.client.call(f"runs:/{run_id}", lambda p=path, t=text: (  # type: ignore[misc]
                self._c.log_text(run_id, t, p)))

    def close_decision(self, run_id: str, tags: Mapping[str, str], *, status: str) -> None:
        """Tag the decision with how it ended, then end its run (FINISHED or FAILED)."""
        self.set_run_tags(run_id, tags)
        self.client.call(f"runs:/{run_id}", lambda: _quietly(lambda: self._c.set_terminated(run_id, status)))

    def try_again(self) -> None:
        """Let the next call reach the server even though a call found it failing: moving a failed
        promotion back is worth one more try (a later failure stops further calls again)."""
        self.client._down = None  # noqa: SLF001 - the client's breaker, owned by the same backend

    def set_model_tag(self, name: str, key: str, value: str) -> None:
        self.client.call(f"models:/{name}", lambda: self._c.set_registered_model_tag(name, key, value))

    def delete_model_tag_if_present(self, name: str, key: str) -> None:
        self.client.or_none(f"models:/{name}", lambda: self._c.delete_registered_model_tag(name, key))

    def delete_alias_if_present(self, name: str, alias: str) -> None:
        self.client.or_none(f"models:/{name}@{alias}",
                            lambda: self._c.delete_registered_model_alias(name, alias))

    def delete_version_tag_if_present(self, name: str, version: str, key: str) -> None:
        self.client.or_none(f"models:/{name}/{version}",
                            lambda: self._c.delete_model_version_tag(name, version, key))

    def set_run_tags(self, run_id: str, tags: Mapping[str, str]) -> None:
        from mlflow.entities import RunTag

        self.client.call(f"runs:/{run_id}", lambda: self._c.log_batch(
            run_id, tags=[RunTag(k, v) for k, v in tags.items()]))

    # -- training runs ----------------------------------------------------------------------------

    def active_run_id(self) -> str | None:
        run = self.client.mlflow.active_run()
        return str(run.info.run_id) if run is not None else None

    def log_file(self, run_id: str, local_path: str, artifact_dir: str | None) -> None:
        self.client.call(f"runs:/{run_id}", lambda: self._c.log_artifact(run_id, local_path, artifact_dir))
