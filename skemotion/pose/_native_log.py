"""Silence MediaPipe's native log (LiteRT, glog) while Python's own stderr output still shows.

MediaPipe's C++ code writes about fifty lines per run straight to file descriptor 2 ("Creating LiteRT
environment", "Sparsity tensors may not yet be fully supported", ...). ``GLOG_minloglevel`` and
``TF_CPP_MIN_LOG_LEVEL`` do not reach LiteRT's logger (measured with mediapipe 1.2.3, even when set in the
shell before Python starts), so the only switch that works is the descriptor itself: while the landmarker
runs, fd 2 points at ``os.devnull``, and ``sys.stderr`` at a copy of the original descriptor, so progress bars,
warnings and tracebacks written by Python still reach the terminal.

The redirection is process-wide (a descriptor is), so it is counted: threads that enter it together share
one redirection, which ends when the last one leaves.
"""

import io
import os
import sys
import threading
from contextlib import contextmanager

LOG_ENV_VAR = "SKEMOTION_MEDIAPIPE_LOG"

_lock = threading.Lock()
_state = {"depth": 0, "saved_fd": None, "python_stderr": None, "replacement": None}


def native_log_wanted(verbose=0):
    """Whether MediaPipe's native log should be shown: ``verbose >= 2`` or ``$SKEMOTION_MEDIAPIPE_LOG`` set to 1."""
    return verbose >= 2 or os.environ.get(LOG_ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


def _writes_to_fd2(stream):
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, ValueError):  # StringIO, closed streams, notebook outputs
        return False


def _enter():
    with _lock:
        _state["depth"] += 1
        if _state["depth"] > 1:
            return
        try:
            sys.stderr.flush()
        except (AttributeError, OSError, ValueError):
            pass
        saved_fd = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        _state["saved_fd"], _state["python_stderr"], _state["replacement"] = saved_fd, sys.stderr, None
        if _writes_to_fd2(sys.stderr):  # Python's stderr keeps writing where it did before
            old = sys.stderr
            # Its own copy of the descriptor, closed when the stream is collected: a stream still held after
            # the block (a progress bar) keeps writing to the terminal, never into a reused descriptor.
            replacement = io.TextIOWrapper(io.FileIO(os.dup(saved_fd), "w", closefd=True),
                                           encoding=getattr(old, "encoding", None) or "utf-8",
                                           errors=getattr(old, "errors", None) or "backslashreplace",
                                           line_buffering=True)
            sys.stderr = _state["replacement"] = replacement


def _exit():
    with _lock:
        _state["depth"] -= 1
        if _state["depth"] > 0:
            return
        replacement = _state["replacement"]
        if replacement is not None:
            try:
                replacement.flush()
            except (OSError, ValueError):
                pass
            if sys.stderr is replacement:  # unless someone else has replaced it since
                sys.stderr = _state["python_stderr"]
        os.dup2(_state["saved_fd"], 2)
        os.close(_state["saved_fd"])
        _state.update(saved_fd=None, python_stderr=None, replacement=None)


@contextmanager
def quiet_native_log(quiet=True):
    """Within the block, output written to file descriptor 2 by native code is discarded (if ``quiet``).

    ``sys.stderr`` is pointed at a copy of the original descriptor for the duration, so Python-level output
    (tqdm, warnings) is unaffected. Safe to nest and to enter from several threads at once.
    """
    if not quiet:
        yield
        return
    _enter()
    try:
        yield
    finally:
        _exit()
