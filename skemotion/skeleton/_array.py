"""Skeleton arrays that carry what is known about them: layout, frame rate and axis convention.

A :class:`SkeletonArray` is a NumPy array of joint positions, one sequence ``(n_frames, n_joints, n_dims)``
or a batch ``(n_samples, n_frames, n_joints, n_dims)``, with four attributes:

``layout``
    The :class:`~skemotion.skeleton.SkeletonLayout` of the joint axis, or None.
``frame_rate``
    Frames per second: a float for a sequence, an array ``(n_samples,)`` for a batch (sequences of one
    batch may differ, e.g. after resampling each to a fixed number of frames), or None.
``y_up``
    True when y points up (motion capture, the toolkit's convention), False for image coordinates with
    y pointing down (rows), None when unknown.
``units``
    ``"m"``, ``"cm"``, ``"normalized"`` (fractions of the image width and height), ``"pixels"``, ``"body"``
    (multiples of the body size), or None.

Loaders, :class:`~skemotion.pose.PoseExtractor` and the skeleton transformers produce such arrays, and
every skeleton estimator reads the attributes, so a pipeline needs no restating of what the data says.
The attributes travel only where they stay true: selecting samples (``X[train]``, iteration, sklearn's
``_safe_indexing``), slicing frames of one sequence (a step divides the frame rate), copies and pickling.
Arithmetic and NumPy functions return plain arrays, since the result may no longer be positions in that
layout (``X - X.mean()`` is not).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from ._layout import SkeletonLayout, get_layout

UNITS = ("m", "cm", "normalized", "pixels", "body")
_ATTRIBUTES = ("layout", "frame_rate", "y_up", "units")


class SkeletonArray(np.ndarray):
    """Joint positions with their layout, frame rate and axis convention (see the module docstring).

    Build one with :func:`with_metadata`; read the attributes of any input with :func:`skeleton_metadata`.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.skeleton import with_metadata
    >>> X = with_metadata(np.zeros((2, 10, 16, 3)), layout="body16", frame_rate=30)
    >>> X.layout.name, X.frame_rate.tolist()
    ('body16', [30.0, 30.0])
    >>> X[1].frame_rate, X[1][::2].frame_rate   # one sequence; every second frame
    (30.0, 15.0)
    >>> X[1][0].layout.name                      # one pose keeps its layout
    'body16'
    >>> type(X * 2).__name__                     # arithmetic gives a plain array
    'ndarray'
    """

    def __array_finalize__(self, obj):
        for name in _ATTRIBUTES:
            setattr(self, name, getattr(obj, name, None))

    # --- what keeps the metadata: selecting samples or frames ---
    def __getitem__(self, key):
        plain = np.asarray(self)[key]
        if self.ndim == 3 and isinstance(key, (Integral, np.integer)):  # one pose keeps its layout and axes
            return _wrap(plain, self.layout, None, self.y_up, self.units)
        if not isinstance(plain, np.ndarray) or plain.ndim not in (3, 4):
            return plain
        rate = self._rate_after(key, plain)
        if rate is _LOST:
            return plain
        return _wrap(plain, self.layout, rate, self.y_up, self.units)

    def _rate_after(self, key, result):
        """Frame rate(s) of ``self[key]``, or ``_LOST`` when the key does more than select samples/frames."""
        first, rest = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        if any(not (k is Ellipsis or (isinstance(k, slice) and k == slice(None))) for k in rest):
            return _LOST
        if self.ndim == 4:
            if self.frame_rate is None:
                return None
            rates = np.asarray(self.frame_rate)[first]
            return float(rates) if result.ndim == 3 else np.atleast_1d(rates)
        if result.ndim == 3 and isinstance(first, slice):
            step = first.step or 1
            return None if self.frame_rate is None else self.frame_rate / step if step > 0 else _LOST
        return _LOST

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __reduce__(self):
        constructor, args, state = super().__reduce__()
        return constructor, args, (state, {name: getattr(self, name) for name in _ATTRIBUTES})

    def __setstate__(self, state):
        array_state, attributes = state
        super().__setstate__(array_state)
        for name, value in attributes.items():
            setattr(self, name, value)

    # --- what drops it: computing ---
    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        inputs = tuple(_plain(x) for x in inputs)
        if out is not None:
            kwargs["out"] = tuple(_plain(x) for x in out)
        result = getattr(ufunc, method)(*inputs, **kwargs)
        return self if out is not None and any(o is self for o in out) else result

    def __array_function__(self, func, types, args, kwargs):
        return func(*_plain(args), **_plain(kwargs))

    def __repr__(self):
        rate = self.frame_rate
        if rate is not None and np.ndim(rate):
            rate = f"{np.min(rate):g}" if np.ptp(rate) == 0 else f"{np.min(rate):g}..{np.max(rate):g}"
        layout = None if self.layout is None else self.layout.name
        return (f"SkeletonArray(shape={self.shape}, layout={layout!r}, frame_rate={rate}, "
                f"y_up={self.y_up}, units={self.units!r})")


_LOST = object()


def _plain(value):
    """``value`` with every SkeletonArray inside (nested lists, tuples, dicts) viewed as a plain ndarray."""
    if isinstance(value, SkeletonArray):
        return value.view(np.ndarray)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _wrap(array, layout, frame_rate, y_up, units):
    out = np.asarray(array).view(SkeletonArray)
    out.layout, out.frame_rate, out.y_up, out.units = layout, frame_rate, y_up, units
    return out


def with_metadata(X, *, layout=None, frame_rate=None, y_up=None, units=None):
    """Attach a layout, frame rate and axis convention to skeleton data.

    Parameters
    ----------
    X : array-like of shape (n_frames, n_joints, n_dims) or (n_samples, n_frames, n_joints, n_dims), or list
        One sequence, a NaN-padded batch, or a list of sequences (each is wrapped; the list stays a list).
        Attributes already on ``X`` are kept unless given here.
    layout : str, SkeletonLayout or None
        Joint layout; its joint count must match the data.
    frame_rate : float, array-like of shape (n_samples,) or None
        Frames per second (one per sequence for a batch or a list).
    y_up : bool or None
        True for y up (motion capture), False for image coordinates (y down).
    units : {"m", "cm", "normalized", "pixels", "body"} or None

    Returns
    -------
    SkeletonArray or list of SkeletonArray

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.skeleton import with_metadata
    >>> walks = with_metadata([np.zeros((40, 33, 3)), np.zeros((50, 33, 3))], layout="mediapipe33",
    ...                       frame_rate=[25, 30])
    >>> [w.frame_rate for w in walks]
    [25.0, 30.0]
    """
    if isinstance(X, (list, tuple)):
        rates = _per_sample(frame_rate, len(X))
        return [with_metadata(x, layout=layout, frame_rate=r, y_up=y_up, units=units) for x, r in zip(X, rates)]
    array = np.asarray(X, dtype=float) if not isinstance(X, np.ndarray) else X
    if array.ndim not in (3, 4):
        raise ValueError(
            f"Skeleton data must be one sequence (n_frames, n_joints, n_dims) or a batch (n_samples, n_frames, "
            f"n_joints, n_dims); got an array of shape {array.shape}."
        )
    old = skeleton_metadata(X) if isinstance(X, SkeletonArray) else None
    layout = _checked_layout(layout if layout is not None else (old and old.layout), array.shape[-2])
    if frame_rate is None and old is not None and old.frame_rates is not None:
        frame_rate = old.frame_rates
    if array.ndim == 4:  # NaN stands for a sequence without a rate (a photo among videos)
        frame_rate = None if frame_rate is None else np.array(
            [np.nan if r is None else r for r in _per_sample(frame_rate, len(array))], dtype=float)
    elif frame_rate is not None:
        frame_rate = _positive_rate(np.ravel(frame_rate)[0] if np.ndim(frame_rate) else frame_rate)
    if units is not None and units not in UNITS:
        raise ValueError(f"units must be one of {UNITS} or None, got {units!r}.")
    return _wrap(array, layout, frame_rate,
                 y_up if y_up is not None else (old.y_up if old else None),
                 units if units is not None else (old.units if old else None))


def _checked_layout(layout, n_joints):
    if layout is None or layout is False:
        return None
    layout = get_layout(layout)
    if layout.n_joints != n_joints:
        raise ValueError(f"Layout {layout.name!r} has {layout.n_joints} joints but the data has {n_joints}.")
    return layout


def _positive_rate(rate):
    if isinstance(rate, bool) or not isinstance(rate, (Real, np.floating, np.integer)) or not rate > 0:
        raise ValueError(f"A frame rate must be a positive number of frames per second, got {rate!r}.")
    return float(rate)


def _per_sample(frame_rate, n_samples):
    """``frame_rate`` as one positive float (or None) per sample."""
    if frame_rate is None:
        return [None] * n_samples
    if np.ndim(frame_rate) == 0:
        return [_positive_rate(frame_rate)] * n_samples
    rates = list(np.ravel(np.asarray(frame_rate, dtype=object)))
    if len(rates) != n_samples:
        raise ValueError(f"Got {len(rates)} frame rates for {n_samples} sequences.")
    return [None if r is None or (isinstance(r, float) and np.isnan(r)) else _positive_rate(r) for r in rates]


class SkeletonMetadata:
    """What skeleton data says about itself (from :func:`skeleton_metadata`).

    Attributes
    ----------
    layout : SkeletonLayout or None
    frame_rates : ndarray of shape (n_samples,) or None
        None when no sequence carries a rate; NaN for the sequences that do not when others do.
    y_up : bool or None
    units : str or None
    """

    def __init__(self, layout=None, frame_rates=None, y_up=None, units=None):
        self.layout, self.frame_rates, self.y_up, self.units = layout, frame_rates, y_up, units

    def __repr__(self):
        layout = None if self.layout is None else self.layout.name
        return (f"SkeletonMetadata(layout={layout!r}, frame_rates={self.frame_rates}, y_up={self.y_up}, "
                f"units={self.units!r})")


def skeleton_metadata(X):
    """The layout, per-sample frame rates and axis convention carried by skeleton data.

    Plain arrays carry nothing (every field None). The sequences of a list must agree on layout, axes and
    units: mixing them is refused, since no estimator could treat them as one data set.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.skeleton import skeleton_metadata, with_metadata
    >>> meta = skeleton_metadata([with_metadata(np.zeros((5, 16, 3)), frame_rate=f) for f in (30, 120)])
    >>> meta.frame_rates
    array([ 30., 120.])
    >>> skeleton_metadata(np.zeros((2, 5, 16, 3))).frame_rates is None
    True
    """
    if isinstance(X, SkeletonArray):
        rates = X.frame_rate
        if rates is not None:
            rates = np.atleast_1d(np.asarray(rates, dtype=float))
        return SkeletonMetadata(X.layout, rates, X.y_up, X.units)
    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1:  # a ragged set as an object array
        X = list(X)
    if not isinstance(X, (list, tuple)) or not X or not any(isinstance(x, SkeletonArray) for x in X):
        return SkeletonMetadata()
    found = [x if isinstance(x, SkeletonArray) else None for x in X]
    fields = {name: _agreed(found, name) for name in ("layout", "y_up", "units")}
    rates = np.array([np.nan if x is None or x.frame_rate is None else float(x.frame_rate) for x in found])
    return SkeletonMetadata(fields["layout"], None if np.isnan(rates).all() else rates, fields["y_up"],
                            fields["units"])


def _agreed(sequences, name):
    """The one value of attribute ``name`` that the sequences carry (None if none does); two are an error."""
    carried = [(i, getattr(x, name)) for i, x in enumerate(sequences) if x is not None and getattr(x, name) is not None]
    for i, value in carried[1:]:
        if value != carried[0][1]:
            raise ValueError(
                f"Sequences {carried[0][0]} and {i} of one data set differ in {name} ({_shown(carried[0][1])} vs "
                f"{_shown(value)}); make them agree first (skemotion.skeleton.convert_layout for layouts, "
                "skemotion.skeleton.with_metadata for the other attributes)."
            )
    return carried[0][1] if carried else None


def _shown(value):
    return value.name if isinstance(value, SkeletonLayout) else repr(value)


def check_frame_rate(frame_rate, metadata, n_samples, estimator_name):
    """Frame rate of every sample ``(n_samples,)`` from a parameter and what the data carries.

    The parameter fills in for data without a rate; where both exist they must agree (within 1e-6
    relative), so a stale parameter is never silently preferred. Neither gives a clear error.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.skeleton import SkeletonMetadata, check_frame_rate
    >>> check_frame_rate(None, SkeletonMetadata(frame_rates=np.array([30.0, 120.0])), 2, "KinematicFeatures")
    array([ 30., 120.])
    >>> check_frame_rate(25, SkeletonMetadata(), 2, "KinematicFeatures")
    array([25., 25.])
    """
    carried = metadata.frame_rates
    if frame_rate is not None:
        given = np.full(n_samples, _positive_rate(frame_rate))
        if carried is not None:
            known = ~np.isnan(carried)
            bad = np.flatnonzero(known & ~np.isclose(carried, given, rtol=1e-6, atol=0))
            if bad.size:
                raise ValueError(
                    f"{estimator_name}(frame_rate={frame_rate:g}) disagrees with the data: sample {bad[0]} "
                    f"carries {carried[bad[0]]:g} frames per second. Drop the parameter (frame_rate=None reads "
                    "the data's rate) or resample the data (SkeletonNormalizer(frame_rate=...))."
                )
        return given
    if carried is None or np.isnan(carried).any():
        missing = 0 if carried is None else int(np.flatnonzero(np.isnan(carried))[0])
        raise ValueError(
            f"{estimator_name} differentiates in time and needs the frame rate, but sample {missing} does not "
            f"carry one: pass {estimator_name}(frame_rate=...) in frames per second, or data that carries it "
            "(the loaders' bunch.data, PoseExtractor's output, or skemotion.skeleton.with_metadata(X, "
            "frame_rate=...))."
        )
    return carried


# Registered layouts inferred from a joint count alone. 16 joints means the common layout: MPII's 16 joints
# are ordered differently and must be named (layout="mpii16").
_DEFAULT_BY_JOINT_COUNT = {16: "body16", 17: "coco17", 33: "mediapipe33"}


def resolve_layout(layout, metadata, n_joints, estimator_name="This estimator"):
    """The one place where a layout parameter meets the data.

    Parameters
    ----------
    layout : "auto", str, SkeletonLayout or None
        ``"auto"``: the layout the data carries, else the registered layout implied by the joint count
        (16: ``"body16"``, 17: ``"coco17"``, 33: ``"mediapipe33"``), else an error listing the choices. A name
        or a :class:`SkeletonLayout` is checked against the joint count and against the data's own layout.
        ``None``: no layout (joints are anonymous).
    metadata : SkeletonMetadata
        From :func:`skeleton_metadata`.
    n_joints : int
    estimator_name : str
        For the messages.

    Returns
    -------
    SkeletonLayout or None

    Examples
    --------
    >>> from skemotion.skeleton import SkeletonMetadata, resolve_layout
    >>> resolve_layout("auto", SkeletonMetadata(), 33).name
    'mediapipe33'
    """
    carried = metadata.layout
    if layout is None:
        return None
    if isinstance(layout, str) and layout == "auto":
        if carried is not None:
            return _checked_layout(carried, n_joints)
        if n_joints in _DEFAULT_BY_JOINT_COUNT:
            return get_layout(_DEFAULT_BY_JOINT_COUNT[n_joints])
        raise ValueError(
            f"{estimator_name}(layout='auto') cannot tell the layout of {n_joints} joints: the data carries "
            f"none and {n_joints} joints match no default ({_joint_count_choices()}). Pass layout=... "
            f"(a registered name: {_registered_with(n_joints)}; a SkeletonLayout such as a loader's "
            "bunch.layout; or skemotion.skeleton.layout_from_rig(...)), or convert the data to the common layout "
            "(skemotion.skeleton.convert_layout)."
        )
    layout = get_layout(layout)
    if layout.n_joints != n_joints:
        raise ValueError(
            f"{estimator_name}: layout {layout.name!r} has {layout.n_joints} joints but the data has {n_joints}. "
            f"Pass the data's layout ({_registered_with(n_joints)}, or layout='auto' to read it from the data), "
            f"or map the data onto the common layout first (SkeletonNormalizer(to_common=True) or "
            "skemotion.skeleton.convert_layout)."
        )
    if carried is not None and carried.joint_names != layout.joint_names:
        raise ValueError(
            f"{estimator_name}: layout {layout.name!r} was passed but the data carries layout {carried.name!r} "
            "with other joints; pass layout='auto' to use the data's layout."
        )
    return layout


def _joint_count_choices():
    return ", ".join(f"{n}: {name!r}" for n, name in sorted(_DEFAULT_BY_JOINT_COUNT.items()))


def _registered_with(n_joints):
    from ._layout import list_layouts

    names = [name for name in list_layouts() if get_layout(name).n_joints == n_joints]
    if not names:
        return f"no registered layout has {n_joints} joints"
    return f"registered layouts with {n_joints} joints: {names}"

