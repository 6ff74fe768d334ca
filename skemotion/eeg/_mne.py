"""From MNE objects (and so from EDF, BDF, FIF, CNT... files that MNE reads) to EEG arrays."""

import mne
import numpy as np
from sklearn.utils import Bunch


def from_mne(inst, *, picks="eeg", epoch_duration=None, overlap=0.0):
    """Turn an MNE ``Raw`` or ``Epochs`` object into epochs ``(n_epochs, n_channels, n_times)``.

    Read a file with ``mne.io.read_raw(path)`` (EDF, BDF, FIF, BrainVision, NeuroScan CNT, ...) and pass
    the result here. A ``Raw`` recording becomes one epoch, or, with ``epoch_duration``, consecutive
    fixed-length epochs cut by :func:`mne.make_fixed_length_epochs` (segments overlapping a ``BAD_``
    annotation are dropped, an incomplete last segment too). ``Epochs`` keep their epochs, and their event
    names become the target.

    Parameters
    ----------
    inst : mne.io.BaseRaw or mne.BaseEpochs
    picks : str, list or None, default="eeg"
        Channels to keep, in MNE's ``picks`` syntax (a channel type, names or indices); the default keeps
        EEG channels and drops stimulus/status channels.
    epoch_duration : float or None, default=None
        For ``Raw`` only: cut epochs of this many seconds.
    overlap : float, default=0.0
        For ``Raw`` with ``epoch_duration``: overlap of consecutive epochs in seconds.

    Returns
    -------
    eeg : :class:`~sklearn.utils.Bunch`
        With fields

        data : ndarray of shape (n_epochs, n_channels, n_times)
            The signals in volts (MNE's unit for EEG).
        sfreq : float
            Sampling frequency in Hz.
        ch_names : list of str
            Channel names.
        target : ndarray of shape (n_epochs,) or None
            Event name of each epoch of an ``Epochs`` object; None for ``Raw``.
        info : mne.Info
            Measurement info of the kept channels (montage included, if any).

    Examples
    --------
    >>> import mne, numpy as np
    >>> from skemotion.eeg import from_mne
    >>> info = mne.create_info(["Fz", "Cz", "Pz"], 100.0, ch_types="eeg")
    >>> raw = mne.io.RawArray(np.zeros((3, 1000)), info, verbose=False)
    >>> from_mne(raw, epoch_duration=2.0).data.shape
    (5, 3, 200)
    """
    if isinstance(inst, mne.io.BaseRaw):
        if epoch_duration is None:
            inst = inst.copy().pick(picks)
            return _bunch(inst.get_data()[np.newaxis], inst.info, target=None)
        length = inst.n_times / inst.info["sfreq"]
        if epoch_duration > length:  # checked here: MNE's own error ("No events produced") does not say why
            raise ValueError(f"No epoch fits: the recording lasts {length:g} s, shorter than "
                             f"epoch_duration={epoch_duration:g} s.")
        epochs = mne.make_fixed_length_epochs(inst.copy().pick(picks), duration=epoch_duration,
                                              overlap=overlap, preload=True, verbose=False)
        return _bunch(epochs.get_data(copy=False), epochs.info, target=None)
    if isinstance(inst, mne.BaseEpochs):
        if epoch_duration is not None:
            raise ValueError("epoch_duration applies to Raw recordings; these are already Epochs.")
        epochs = inst.copy().pick(picks)
        names = {code: name for name, code in epochs.event_id.items()}
        target = np.array([names.get(code, code) for code in epochs.events[:, 2]])
        return _bunch(epochs.get_data(copy=False), epochs.info, target=target)
    raise TypeError(f"from_mne expects an mne Raw or Epochs object, got {type(inst).__name__}.")


def _bunch(data, info, target):
    if data.shape[1] == 0:
        raise ValueError("No channel left after picking; check the picks argument and the channel types.")
    if data.shape[0] == 0:
        raise ValueError("No epoch left: the recording is shorter than epoch_duration or all segments are bad.")
    return Bunch(data=np.asarray(data, dtype=np.float64), sfreq=float(info["sfreq"]),
                 ch_names=list(info["ch_names"]), target=target, info=info)
