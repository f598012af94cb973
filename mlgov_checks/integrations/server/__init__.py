"""The registry enforces the gate: the `mlgov` app for `mlflow server --app-name mlgov`.

Bottom up: `surface` (which MLflow requests are protected, and what each needs), `verdict` (the
evidence decision for one request, on records the backend reads), `config` (the server's own
policy, reloaded when its files change), `state` (the records, read through the backend from the
server's own store), `app` (the Flask hook and the two app factories), `webhook` (the receiver
of MLflow's registry webhooks, for what the hook cannot see).
"""
