"""A callable for hostile-model tests: it leaves a mark on disk when it runs, then passes its input on.

Stored by name in a model file (as any function would be), it is what an attacker's payload looks like to
the loader: a type that must be refused unless the user trusts it.
"""

import os
from pathlib import Path


def mark_and_pass(X):
    Path(os.environ["SKEMOTION_TEST_MARK"]).write_text("ran")
    return X
