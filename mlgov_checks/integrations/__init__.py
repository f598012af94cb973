"""Where mlgov meets other tools: git, the GitHub Action, the training-side helpers."""
