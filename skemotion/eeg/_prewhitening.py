"""Temporal prewhitening of EEG epochs: the prediction-error filter of an autoregressive model."""

from numbers import Integral

import numpy as np
from scipy.linalg import solve_toeplitz
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..utils._tags import EEGMixin
from ..utils.validation import check_eeg, n_axes


class EEGPrewhitener(EEGMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator,
                     auto_wrap_output_keys=None):
    """Flatten the EEG spectrum with the prediction-error filter of an autoregressive model.

    Scalp EEG power falls with frequency (about ``1/f**1.6``): the gamma band lies 20-40 dB below delta. A
    network that learns its own temporal filters from raw epochs (EEGNet, ShallowFBCSPNet) then sees the
    high bands through the leakage of the strong low ones. Prewhitening, as in linear prediction, divides
    the spectrum by the fitted one: an autoregressive model of ``order`` lags is fitted per channel on the
    training epochs (Yule-Walker equations on their pooled autocorrelation, solved by Levinson recursion,
    :func:`scipy.linalg.solve_toeplitz`), and ``transform`` keeps what it does not predict,
    ``x[t] - sum_k a_k x[t - k]``. The filter is fixed after ``fit`` and the same for every epoch, so a
    band's gain between epochs (what emotions change) is kept, while the average spectral tilt is removed.

    The output has the input's shape; the first ``order`` samples of an epoch are filtered with the lags
    the epoch has (earlier samples count as zero), as :func:`scipy.signal.lfilter` does.

    The model flattens the whole band up to the Nyquist frequency. Resample recordings made at a high
    sampling rate to a few times their highest frequency of interest first (SEED's 200 Hz for bands up to
    50 Hz; :meth:`mne.io.Raw.resample`), so that the lags describe the EEG bands rather than the empty band
    above the recording's low-pass filter.

    Parameters
    ----------
    order : int, default=8
        Lags of the autoregressive model. 1 is close to the first difference; 8 also flattens the alpha
        peak.

    Attributes
    ----------
    coef_ : ndarray of shape (n_channels, order)
        The autoregressive coefficients ``a_k`` of each channel (zero for a constant channel).
    n_channels_in_ : int

    See Also
    --------
    skemotion.nn.BraindecodeClassifier : braindecode's networks, which learn from prewhitened epochs.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.signal import lfilter
    >>> from skemotion.eeg import EEGPrewhitener
    >>> noise = np.random.default_rng(0).standard_normal((20, 1, 2000))
    >>> X = lfilter([1.0], [1.0, -0.9], noise)  # an AR(1) process: x[t] = 0.9 x[t - 1] + noise
    >>> whitener = EEGPrewhitener(order=1).fit(X)
    >>> whitener.coef_.round(2)
    array([[0.9]])
    >>> bool(np.abs(whitener.transform(X) - noise)[..., 1:].max() < 0.1)  # the noise again
    True
    """

    _parameter_constraints = {"order": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, order=8):
        self.order = order

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit each channel's autoregressive model on the epochs.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_times)
        y : ignored

        Returns
        -------
        self : EEGPrewhitener
        """
        X = check_eeg(self, X, reset=True)
        if X.shape[2] <= self.order:
            raise ValueError(f"Epochs of {X.shape[2]} samples are too short for an autoregressive model of "
                             f"order={self.order}: they need at least {self.order + 1}.")
        centred = X - X.mean(axis=2, keepdims=True)
        n_times = X.shape[2]
        lags = np.stack([np.einsum("ect,ect->c", centred[..., :n_times - k], centred[..., k:])
                         for k in range(self.order + 1)], axis=1)  # pooled autocorrelation, (n_channels, lags)
        self.coef_ = np.zeros((X.shape[1], self.order))
        for channel in np.flatnonzero(lags[:, 0] > 0):  # a constant channel keeps the identity filter
            self.coef_[channel] = solve_toeplitz(lags[channel, :-1], lags[channel, 1:])
        return self

    def transform(self, X):
        """Filter each channel with its prediction-error filter.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_times)

        Returns
        -------
        X_new : ndarray of the shape of X
        """
        check_is_fitted(self)
        two_d = n_axes(X) == 2
        X = check_eeg(self, X, reset=False)
        out = X.copy()
        for k in range(1, min(self.order, X.shape[2] - 1) + 1):  # one shifted product per lag, all channels
            out[..., k:] -= self.coef_[:, k - 1, np.newaxis] * X[..., :-k]
        return out[:, 0] if two_d else out

    def set_output(self, *, transform=None):
        """Accept a pipeline's output configuration; the output stays EEG epochs.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None

        Returns
        -------
        self : EEGPrewhitener
        """
        return self
