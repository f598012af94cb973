"""Evidence that names its content: digests, statements, signatures and the allowed signers.

Nothing here reads the registry or the policy file: callers hand in bytes, streams and paths, so a
server plugin can verify an approval with the same functions the gate uses.
"""
