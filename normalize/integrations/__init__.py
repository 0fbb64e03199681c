"""Run the Normalizer inside distributed engines: datatrove and Ray Data.

Each submodule imports its engine, so importing `normalize` (or this package)
never pulls in Ray or datatrove; install the extras `normalize[ray]` or
`normalize[datatrove]` for the one you use.
"""
