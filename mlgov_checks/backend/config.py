"""Batch sizes of the registry reads, in one place (tests lower them to force several pages)."""

from __future__ import annotations

RUN_CHUNK = 100  # run ids per search_runs filter: keeps the filter string well under URL limits
EXPERIMENT_CHUNK = 100  # experiment ids per search_runs call, when the runs' experiments are unknown
VERSION_PAGE = 10000  # search_model_versions page size (the servers' maximum)
PAGE = 1000  # experiments and runs per page of a search
MODEL_PAGE = 1000  # the server's cap for search_registered_models (SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD)
NAME_CHUNK = 100  # model names per `name IN (...)` filter: the filter travels in the URL of a GET
RUN_PAGE = 50000  # search_runs' own cap (SEARCH_MAX_RESULTS_THRESHOLD), for the whole decision log
