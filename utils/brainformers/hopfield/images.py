"""Image cues for pattern completion: hide part of a flattened image."""

from __future__ import annotations

import numpy as np

from .. import _validate


def half_mask(images: np.ndarray, height: int) -> np.ndarray:
    """Hide the lower half of flattened images: the partial cue of pattern completion.

    Parameters
    ----------
    images : (n_images, height · width) array, each row an image flattened row by row
        (NumPy's default order), with ±1 pixels.
    height : number of pixel rows per image; must be even.

    Returns
    -------
    A copy with the pixels of rows height/2 … height-1 set to 0: "unknown", a value that
    pulls a ±1 network neither way, so retrieval must fill them in from the top half.
    """
    x = _validate.array("images", images, ndim=2, dims="(n_images, height * width)")
    _validate.positive_int("height", height)
    if height % 2 or x.shape[1] % height:
        raise ValueError(
            f"height must be even and divide the pixels per image, got height={height} for "
            f"images of {x.shape[1]} pixels"
        )
    width = x.shape[1] // height
    masked = x.copy()
    masked[:, (height // 2) * width :] = 0.0
    return masked
