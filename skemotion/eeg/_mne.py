"""From MNE objects (and so from EDF, BDF, FIF, CNT... files that MNE reads) to EEG arrays."""

import re
import warnings

import mne
import numpy as np
from sklearn.utils import Bunch

# Channels that recording software (BioSemi's above all) stores with the EEG type although they are not
# scalp electrodes: BioSemi's eight external inputs, eye, mastoid/earlobe references, ergo and other
# auxiliary sensors, and trigger/status channels. Matched case-insensitively on the whole name.
NON_SCALP_PATTERN = re.compile(
    r"(EXG\d+|[A-Z]*EOG.*|EO[GH]\d*|M[12]|(L|R)?MASTOID.*|ERG.*|ECG.*|EKG.*|EMG.*|GSR.*|RESP.*|TEMP.*|PLET.*"
    r"|STATUS|TRIGGER|STI.*|ANA\d+|AUX.*|BIP.*)",
    re.IGNORECASE,
)


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
        EEG channels and drops stimulus/status channels. When picking by type (a string such as ``"eeg"``
        or None), channels typed EEG whose names say they are not scalp electrodes are dropped as well,
        with a warning that names them: BioSemi's ``EXG1``-``EXG8``, eye channels (``*EOG*``), mastoids
        (``M1``, ``M2``), ``Ergo-*`` and other auxiliary sensors, ``Status`` (the full list is
        ``NON_SCALP_PATTERN``), and, in BioSemi recordings labelled by block letter (A1, A2, ...), the 8
        external inputs exported as one more letter block (``I1``-``I8`` after a 128-electrode cap). To
        keep one of them, pick it by name.
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
        dropped_ch_names : list of str
            Channels typed EEG that were dropped as not scalp electrodes (empty when picking by name).

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
            inst, dropped = _picked(inst, picks)
            return _bunch(inst.get_data()[np.newaxis], inst.info, target=None, dropped=dropped)
        length = inst.n_times / inst.info["sfreq"]
        if epoch_duration > length:  # checked here: MNE's own error ("No events produced") does not say why
            raise ValueError(f"No epoch fits: the recording lasts {length:g} s, shorter than "
                             f"epoch_duration={epoch_duration:g} s.")
        inst, dropped = _picked(inst, picks)
        epochs = mne.make_fixed_length_epochs(inst, duration=epoch_duration,
                                              overlap=overlap, preload=True, verbose=False)
        return _bunch(epochs.get_data(copy=False), epochs.info, target=None, dropped=dropped)
    if isinstance(inst, mne.BaseEpochs):
        if epoch_duration is not None:
            raise ValueError("epoch_duration applies to Raw recordings; these are already Epochs.")
        epochs, dropped = _picked(inst, picks)
        names = {code: name for name, code in epochs.event_id.items()}
        target = np.array([names.get(code, code) for code in epochs.events[:, 2]])
        return _bunch(epochs.get_data(copy=False), epochs.info, target=target, dropped=dropped)
    raise TypeError(f"from_mne expects an mne Raw or Epochs object, got {type(inst).__name__}.")


def _picked(inst, picks):
    """A copy of ``inst`` with ``picks``, less the EEG-typed non-scalp channels when picking by type."""
    inst = inst.copy().pick(picks)
    by_type = picks is None or (isinstance(picks, str) and picks not in inst.ch_names)
    if not by_type:
        return inst, []  # names or indices: the user chose each channel
    types = dict(zip(inst.ch_names, inst.get_channel_types()))
    eeg = [name for name in inst.ch_names if types[name] == "eeg"]
    dropped = [name for name in eeg if NON_SCALP_PATTERN.fullmatch(name.strip())]
    dropped += _biosemi_external_inputs([name for name in eeg if name not in dropped])
    if dropped and len(dropped) == len(inst.ch_names):
        raise ValueError(f"Every picked channel ({', '.join(dropped)}) is named like a non-scalp channel "
                         "(EOG, EXG, mastoid, ...); pick the channels by name to keep them.")
    if dropped:
        warnings.warn(
            f"from_mne: dropped {len(dropped)} channel(s) typed EEG that are not scalp electrodes by their "
            f"names: {', '.join(dropped)}. Pick them by name to keep them.",
            UserWarning,
            stacklevel=3,
        )
        inst.drop_channels(dropped)
    return inst, dropped


def _biosemi_external_inputs(names):
    """BioSemi's 8 external inputs where an ABC-lettered recording exports them as one more letter block.

    BioSemi's ABC caps label electrodes by block letter and number (A1-A32, ..., or A1-H16 in 16-electrode
    blocks); some exports name the 8 external inputs as the next block (``I1``-``I8`` after ``H16``) rather
    than ``EXG1``-``EXG8``. Such a recording has 8 channels past a cap size, all in the last letter's block.
    """
    if len(names) - 8 not in _BIOSEMI_CAPS or not all(re.fullmatch(r"[A-Z]\d{1,2}", name) for name in names):
        return []
    tail = names[-8:]
    return tail if len({name[0] for name in tail}) == 1 and tail[0][0] not in {n[0] for n in names[:-8]} else []


_BIOSEMI_CAPS = {16, 32, 64, 128, 160, 256}


def _bunch(data, info, target, dropped):
    if data.shape[1] == 0:
        raise ValueError("No channel left after picking; check the picks argument and the channel types.")
    if data.shape[0] == 0:
        raise ValueError("No epoch left: the recording is shorter than epoch_duration or all segments are bad.")
    return Bunch(data=np.asarray(data, dtype=np.float64), sfreq=float(info["sfreq"]),
                 ch_names=list(info["ch_names"]), target=target, info=info, dropped_ch_names=list(dropped))
