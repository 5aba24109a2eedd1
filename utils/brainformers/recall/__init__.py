"""Chapter 01, self-attention: the associative-recall task and a tiny transformer that solves it.

* :mod:`~brainformers.recall.task` — :class:`RecallTask` (``k v k v … k v q → v(q)``),
  its batches and its order-blind ceiling;
* :mod:`~brainformers.recall.transformer` — :class:`TinyTransformer` (attention only),
  :func:`train_recall`, :func:`recall_accuracy`, and :class:`SoftLookup`, its last lookup
  taken apart;
* :mod:`~brainformers.recall.bars` — the chapter's headline bars.

The attention it is built from (masks, heads, positions) is the course's shared foundation,
:mod:`brainformers.attention`.
"""

from .task import RecallBatch, RecallTask
from .transformer import SoftLookup, TinyTransformer, TrainingHistory, recall_accuracy, train_recall

__all__ = [
    "RecallBatch",
    "RecallTask",
    "SoftLookup",
    "TinyTransformer",
    "TrainingHistory",
    "recall_accuracy",
    "train_recall",
]
