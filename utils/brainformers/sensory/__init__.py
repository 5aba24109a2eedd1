"""Chapter 06, the sensory neuron as a transformer (Tang & Ha 2021).

Import the modules by name (``from brainformers.sensory import cartpole, evolution``):

* :mod:`~brainformers.sensory.attention_neuron` — the AttentionNeuron layer (a shared
  sensory LSTM per channel, fixed queries attending over the channels) and the MLP and
  linear policies it is compared with;
* :mod:`~brainformers.sensory.order_blind` — the order-blind controls with memory: a
  rule on the sum of the inputs, its change and the last action, and the sensory LSTM
  pooled with equal weights (deep sets);
* :mod:`~brainformers.sensory.senses` — shuffled senses as a ``gymnasium`` wrapper, the
  test conditions, and evaluation on the real CartPole-v1;
* :mod:`~brainformers.sensory.cartpole` — CartPole-v1's physics in NumPy, many episodes at
  once, and an LQR controller;
* :mod:`~brainformers.sensory.swingup` — Tang & Ha's harder cart-pole swing-up, in NumPy
  and as a ``gymnasium`` environment;
* :mod:`~brainformers.sensory.evolution` — CMA-ES training on either task;
* :mod:`~brainformers.sensory.bars` — the chapter's headline bars.
"""
