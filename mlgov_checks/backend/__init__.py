"""The only package that imports mlflow: `connect` gives a command its Reader and Writer.

Layers, bottom up: errors and client; records; artifacts; resolve; reader and writer. Importing
this package is cheap: mlflow is imported when a connection is made.
"""

from __future__ import annotations

from typing import NamedTuple

from mlgov_checks.backend.client import Client
from mlgov_checks.backend.reader import DECISIONS_EXPERIMENT, WORKERS, Reader
from mlgov_checks.backend.resolve import Resolved
from mlgov_checks.backend.spec import FetchSpec
from mlgov_checks.backend.writer import Writer

__all__ = ["DECISIONS_EXPERIMENT", "Backend", "FetchSpec", "Reader", "Resolved", "Writer",
           "connect"]


class Backend(NamedTuple):
    reader: Reader
    writer: Writer


def connect(tracking_uri: str | None = None, *, timeout: float = 60.0, registry_uri: str | None = None,
            workers: int | None = None, artifacts_destination: str | None = None) -> Backend:
    """One client for the whole command; its reads and its writes share it.

    `artifacts_destination`: inside `mlflow server`, where its `mlflow-artifacts:` URIs point.
    """
    client = Client(tracking_uri, timeout=timeout, registry_uri=registry_uri,
                    artifacts_destination=artifacts_destination)
    reader = Reader(client, workers=workers or WORKERS)
    return Backend(reader, Writer(client, reader))
