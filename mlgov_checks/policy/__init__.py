"""The policy: loading and validation, defaults, the policy at a git ref, and what counts as stricter."""
