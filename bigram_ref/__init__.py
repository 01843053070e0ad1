"""bigram_ref: an exact, tested reference implementation of the character bigram model.

The counting model (``N[i, y] += 1``, rows normalised) and the neural model
(``one_hot(i) @ W`` → softmax → ``-log p[y]``) with its hand-written backward pass
(``∂L/∂z = p − t``; only row ``i`` of ``W`` moves), plus the tools to check it.
"""

from bigram_ref.corpus import BOUNDARY, Vocab, bigrams, default_words, parse_words, read_words
from bigram_ref.counting import (
    CountModel,
    average_nll,
    count_corpus,
    count_matrix,
    counts_nll,
    pseudo_counts,
    row_probabilities,
    sample_words,
)
from bigram_ref.gradcheck import GradCheck, check_grad, compare, numerical_grad
from bigram_ref.neural import (
    TrainingDiverged,
    TrainResult,
    descend,
    forward_lookup,
    forward_onehot,
    grad_from_counts,
    grad_weights,
    init_weights,
    loss,
    loss_and_grad,
    optimal_logits,
    train,
)
from bigram_ref.newton import penalised_loss, train_from_counts
from bigram_ref.softmax import cross_entropy, grad_logits, log_softmax, logsumexp, one_hot, softmax, softmax_jacobian
from bigram_ref.validate import CorpusError, InputError

__all__ = [
    "BOUNDARY",
    "CorpusError",
    "CountModel",
    "GradCheck",
    "InputError",
    "TrainResult",
    "TrainingDiverged",
    "Vocab",
    "average_nll",
    "bigrams",
    "check_grad",
    "compare",
    "count_corpus",
    "count_matrix",
    "counts_nll",
    "cross_entropy",
    "default_words",
    "descend",
    "forward_lookup",
    "forward_onehot",
    "grad_from_counts",
    "grad_logits",
    "grad_weights",
    "init_weights",
    "log_softmax",
    "logsumexp",
    "loss",
    "loss_and_grad",
    "numerical_grad",
    "one_hot",
    "optimal_logits",
    "parse_words",
    "penalised_loss",
    "pseudo_counts",
    "read_words",
    "row_probabilities",
    "sample_words",
    "softmax",
    "softmax_jacobian",
    "train",
    "train_from_counts",
]

__version__ = "0.1.0"
