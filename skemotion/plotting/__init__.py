"""Every plot of skemotion: skeleton plots and animations, pose overlays on video, neural-gas fitting, maps,
EEG scalp maps and real-versus-synthetic signal comparisons.

Everything draws with matplotlib (``overlay_pose`` draws on video frames with OpenCV) and follows
skemotion's 3-D convention: right-handed, y up, a body facing +z. Every function takes an optional ``ax``
and returns the artist, axes or animation it made. Animations are
:class:`matplotlib.animation.FuncAnimation` objects: ``anim.save("motion.gif", writer="pillow")`` needs
nothing more; MP4 needs FFmpeg.
"""

from ._eeg import plot_band_topomap, plot_psd_comparison, plot_signal_comparison
from ._maps import plot_embedding, plot_trajectories
from ._neural_gas import animate_neural_gas
from ._overlay import overlay_pose
from ._skeleton import animate_skeleton, plot_skeleton

__all__ = [
    "animate_neural_gas",
    "animate_skeleton",
    "overlay_pose",
    "plot_band_topomap",
    "plot_embedding",
    "plot_psd_comparison",
    "plot_signal_comparison",
    "plot_skeleton",
    "plot_trajectories",
]
