"""Train the TEM-t that ships with the library, and save it (brainformers/resources/).

The recipe is chapter 03's, unchanged: ``TEMTransformer()`` (d_pos = 64, 20 classes,
action-driven positions) seeded with ``brainformers.set_seed(0)``, then
``train_tem(model, n_steps=1000, seed=0)`` on 100-step walks in 4-6 wide worlds, about a
minute on 2 CPU cores. Chapter 04 loads the result with :func:`brainformers.tem.load_pretrained`
so it can score a fully trained TEM-t's position units without training one again.

Usage::

    python utils/train_tem_checkpoint.py     # writes utils/brainformers/resources/temt_d64.pt
"""

from __future__ import annotations

import time

import brainformers
import torch
from brainformers import tem


def main() -> None:
    brainformers.set_seed(0)
    model = tem.TEMTransformer()
    started = time.perf_counter()
    tem.train_tem(model, n_steps=1000, seed=0)
    seconds = time.perf_counter() - started
    scores = tem.evaluate_tem(model)
    torch.save(model.state_dict(), tem.PRETRAINED_PATH)
    print(f"trained in {seconds:.0f} s; held-out scores: {scores}")
    print(f"wrote {tem.PRETRAINED_PATH} ({tem.PRETRAINED_PATH.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
