"""bigram_ref.gradcheck: finite differences and the error report."""

from collections.abc import Callable

import numpy as np
import pytest

from bigram_ref import (
    GradCheck,
    Vocab,
    bigrams,
    check_grad,
    compare,
    default_words,
    grad_weights,
    init_weights,
    loss,
    numerical_grad,
    softmax,
    train,
)
from bigram_ref.gradcheck import RESOLUTION
from bigram_ref.validate import InputError


def test_numerical_grad_of_a_quadratic_is_exact_to_rounding() -> None:
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    w = np.array([0.5, -1.5])
    g = numerical_grad(lambda v: float(v @ A @ v / 2), w)
    assert np.allclose(g, A @ w, atol=1e-9)


def test_numerical_grad_does_not_modify_its_input() -> None:
    w = np.array([1.0, 2.0])
    numerical_grad(lambda v: float(v.sum()), w)
    assert w.tolist() == [1.0, 2.0]


def test_compare_reports_the_norm_relative_error_and_the_worst_entry() -> None:
    result = compare([1.0, 2.0, 0.0], [1.0, 2.2, 0.0])
    assert result.where == (1,)
    assert result.max_abs == pytest.approx(0.2)
    assert result.error == pytest.approx(0.2 / np.hypot(1.0, 2.2))
    assert isinstance(result, GradCheck)


def test_compare_zero_gradients_agree() -> None:
    assert compare([0.0, 1.0], [0.0, 1.0]).error == 0.0
    assert compare([0.0, 0.0], [0.0, 0.0]).error == 0.0


@pytest.mark.parametrize("size", [1e-200, 1e-170, 1.0, 1e200, 1e307])
def test_compare_holds_at_any_magnitude(size: float) -> None:
    """Norms of tiny or huge gradients neither underflow to a false pass nor overflow to NaN."""
    assert compare([size], [-size]).error == 2.0  # opposite signs: as wrong as can be
    assert not compare([0.0, 0.0], [size, 0.0]).ok()
    assert compare([size, size], [size, size]).ok()
    assert compare([size], [2 * size]).error == pytest.approx(0.5)


def test_check_grad_catches_a_wrong_gradient() -> None:
    f = lambda w: float(np.exp(w).sum())  # noqa: E731
    assert check_grad(f, np.exp, [0.3, -0.2]).ok()
    assert not check_grad(f, lambda w: np.exp(w) * 1.01, [0.3, -0.2]).ok()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: compare([1.0], [1.0, 2.0]), r"expected the same shape"),
        (lambda: compare([np.nan], [1.0]), r"finite"),
        (lambda: numerical_grad(lambda w: 0.0, [np.inf]), r"^w: expected finite"),
        (lambda: numerical_grad(lambda w: 0.0, [1.0], h=0.0), r"^h: expected a finite number > 0, got 0.0"),
        (
            lambda: numerical_grad(lambda w: 0.0, [[1.0], [1.0, 2.0]]),
            r"^w: expected a rectangular array of numbers, got \[\[1.0\], \[1.0, 2.0\]\]$",
        ),
        (lambda: numerical_grad(lambda w: 0.0, ["a"]), r"^w: expected finite values to differentiate at$"),
        (lambda: numerical_grad(lambda w: 0.0, [1j]), r"^w: expected finite values to differentiate at$"),
        (lambda: numerical_grad(lambda w: float("inf"), [1.0]), r"^f: not finite \(inf\) at w\[0\] \+ h \(h = 1e-05\)"),
        (
            lambda: numerical_grad(lambda w: float("nan") if w[0] < 1 else 0.0, [1.0]),
            r"^f: not finite \(nan\) at w\[0\] - h",
        ),
        (lambda: numerical_grad(lambda w: 2**2000, [1.0]), r"^f: not finite \(inf\) at w\[0\] \+ h"),
        (lambda: numerical_grad(lambda w: 0.0, [1e200]), r"^h = 1e-05 is too small for w\[0\] = 1e\+200: w \+ h == w$"),
        (
            lambda: numerical_grad(lambda w: 0.0, [1.0], h=1e-300),
            r"^h = 1e-300 is too small for w\[0\] = 1: w \+ h == w$",
        ),
        (lambda: compare("a", "b"), r"^analytic and reference: expected non-empty, finite gradients$"),
        (
            lambda: compare([[1.0], [1.0, 2.0]], [1.0]),
            r"^analytic: expected a rectangular array of numbers, got \[\[1.0\], \[1.0, 2.0\]\]$",
        ),
        (lambda: compare([1.0], None), r"^reference: expected a rectangular array of numbers, got None$"),
        (lambda: compare([1j], [1.0]), r"^analytic and reference: expected non-empty, finite gradients$"),
        (lambda: compare([], []), r"^analytic and reference: expected non-empty, finite gradients$"),
        (lambda: compare([1.0], [1.0]).ok(rtol="x"), r"^rtol: expected a finite number >= 0, got 'x'$"),  # type: ignore[arg-type]
        (lambda: compare([1.0], [1.0]).ok(rtol=-1.0), r"^rtol: expected a finite number >= 0, got -1.0$"),
        (lambda: check_grad(lambda w: 0.0, lambda w: None, [1.0]), r"^analytic: expected a rectangular array"),
    ],
)
def test_bad_input(call: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "None"),
        (1j, "1j"),
        ("1.5", "'1.5'"),
        (True, "True"),
        (np.array([2.0]), r"array\(\[2\.\]\)"),
        (np.array(1.0 + 0j), r"array\(1\.\+0\.j\)"),
    ],
)
def test_f_must_return_one_real_number(value: object, shown: str) -> None:
    """None, complex, text, bool or an array from f: an InputError naming f, the value and the point."""
    with pytest.raises(InputError, match=rf"^f: expected a real number \(a scalar\), got {shown} at w\[0\] \+ h$"):
        numerical_grad(lambda w: value, [1.0])  # type: ignore[arg-type, return-value]


def test_f_may_return_numpy_scalars_and_plain_ints() -> None:
    """No false alarm: NumPy floats and ints, 0-d arrays and Python ints are real numbers."""
    for f, slope, tolerance in (
        (lambda w: np.float32(w[0]) * 2, 2.0, 0.1),  # float32 rounds w +- h: a rough slope
        (lambda w: np.array(2.0 * w[0]), 2.0, 1e-9),
        (lambda w: (w**2).sum(), 2.0, 1e-9),  # np.float64
        (lambda w: 7, 0.0, 0.0),
        (lambda w: np.int64(7), 0.0, 0.0),
    ):
        g = numerical_grad(f, [1.0])  # type: ignore[arg-type]
        assert g.shape == (1,) and abs(g[0] - slope) <= tolerance, (g, slope)


# --- the error measure on real gradients ---------------------------------------------------------


@pytest.fixture(scope="module")
def census() -> tuple[np.ndarray, np.ndarray]:
    words = default_words()
    return bigrams(words, Vocab.from_words(words))


@pytest.mark.parametrize("n", [500, 2000, None])
def test_the_census_gradient_passes(census: tuple[np.ndarray, np.ndarray], n: int | None) -> None:
    """The package's own gradient on the census bigrams (first 500, 2,000, all): correct, so it must pass."""
    xs, ys = census[0][:n], census[1][:n]
    W = init_weights(27, seed=0)
    result = check_grad(lambda w: loss(w, xs, ys), lambda w: grad_weights(w, xs, ys), W)
    assert result.ok(), result
    assert result.error < 1e-8


def small_problem(V: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """W, xs, ys of a random batch at vocabulary size V, and central differences of its summed loss."""
    rng = np.random.default_rng(V)
    W = rng.standard_normal((V, V))
    xs, ys = rng.integers(0, V, 3), rng.integers(0, V, 3)
    return W, xs, ys, numerical_grad(lambda w: loss(w, xs, ys, "sum"), W)


@pytest.mark.parametrize("V", [2, 5, 27, 60, 100])
def test_correct_gradients_pass_and_slightly_wrong_ones_fail(V: int) -> None:
    W, xs, ys, fd = small_problem(V)
    right = grad_weights(W, xs, ys, "sum")
    assert compare(right, fd).ok()
    one_entry_off = right.copy()
    k = np.unravel_index(np.argmax(np.abs(right)), right.shape)
    one_entry_off[k] *= 1 + 1e-3  # one entry off by 1e-3 relative
    X, T = np.eye(V)[xs], np.eye(V)[ys]
    missing_minus_one = X.T @ softmax(W[xs])  # p instead of p - t
    assert np.allclose(missing_minus_one - X.T @ T, right)
    for wrong in (one_entry_off, missing_minus_one, right.T):
        report = compare(wrong, fd)
        assert not report.ok(), report
    assert compare(one_entry_off, fd).where == tuple(int(j) for j in k)  # and it says where


@pytest.mark.parametrize("steps", [0, 3000, 20000])
def test_the_census_gradient_passes_on_the_way_to_the_optimum(
    census: tuple[np.ndarray, np.ndarray], steps: int
) -> None:
    """As training nears the optimum the gradient shrinks toward the finite differences' own rounding
    error (norm 1e-5 after 20,000 steps): a correct gradient must still pass, a transposed one fail."""
    xs, ys = census[0][:2000], census[1][:2000]
    W = train(init_weights(27, seed=0), xs, ys, lr=50.0, steps=steps).W
    f = lambda w: loss(w, xs, ys)  # noqa: E731
    right = check_grad(f, lambda w: grad_weights(w, xs, ys), W)
    assert right.ok(), right
    assert 0 < right.noise < 1e-8  # what central differences cannot resolve here
    assert right.conclusive and right.noise < RESOLUTION / 10 * right.norm  # far from a false "inconclusive"
    assert right.verdict().startswith("ok: error"), right.verdict()
    assert not check_grad(f, lambda w: grad_weights(w, xs, ys).T, W).ok()
    assert not check_grad(f, lambda w: 1.01 * grad_weights(w, xs, ys), W).ok()


# --- when finite differences cannot judge a gradient ---------------------------------------------


def huge(w: np.ndarray) -> float:
    """|f| about 1e12 with a gradient 2w of size 1: f's rounding (1e-4) over 2h swamps the gradient."""
    return 1e12 + float(w @ w)


def test_a_wrong_gradient_is_never_passed_when_f_is_huge() -> None:
    for wrong in (lambda w: 0 * w, lambda w: 3 * w, lambda w: -2 * w):
        report = check_grad(huge, wrong, [1.0, 2.0])
        assert report.noise > RESOLUTION * report.norm
        assert not report.conclusive
        assert not report.ok()
        assert not report.ok(rtol=1.0)  # no tolerance turns an inconclusive check into a pass
        assert report.verdict() == (
            f"inconclusive: the finite differences' noise, {report.noise:.1e}, is over 1% "
            f"of the larger gradient norm, {report.norm:.1e}"
        )
    assert f"{check_grad(huge, lambda w: 0 * w, [1.0, 2.0]).noise:.1e}" == "3.1e+01"  # sqrt(2) eps 1e12 / h
    right = check_grad(huge, lambda w: 2 * w, [1.0, 2.0])  # right, but nothing can be concluded here either
    assert not right.ok() and right.verdict().startswith("inconclusive")


def test_a_huge_f_with_a_gradient_as_large_is_judged() -> None:
    """The limit is relative: |f| 5e12 with a gradient of norm 4.5e12 is resolved, right and wrong."""
    f = lambda w: 1e12 * float(w @ w)  # noqa: E731
    right = check_grad(f, lambda w: 2e12 * w, [1.0, 2.0])
    assert right.conclusive and right.ok(), right
    assert right.verdict().startswith("ok: error ")
    wrong = check_grad(f, lambda w: 2.02e12 * w, [1.0, 2.0])
    assert wrong.conclusive and not wrong.ok()
    assert wrong.verdict() == (
        f"wrong: error {wrong.error:.1e} > rtol 1e-06 and the difference, {wrong.diff:.1e}, is above the noise, "
        f"{wrong.noise:.1e}; the largest difference is at (1,)"
    )
    assert f"{wrong.error:.1e}" == "9.9e-03"  # 0.02 / 2.02


def test_the_limit_is_one_percent_of_the_norm() -> None:
    assert RESOLUTION == 0.01
    assert GradCheck(0.0, 0.0, (0,), noise=1.0, norm=100.0).conclusive
    assert not GradCheck(0.0, 0.0, (0,), noise=1.01, norm=100.0).conclusive
    assert not GradCheck(0.0, 0.0, (0,), noise=1.01, norm=100.0).ok()
    assert compare([1.0, 2.0], [1.0, 2.0]).conclusive  # compare knows no noise: always conclusive
    assert compare([0.0], [0.0]).conclusive and compare([0.0], [0.0]).ok()


def test_a_result_built_by_hand_passes_only_on_its_error() -> None:
    # with no noise given, "the difference is within the noise" is no reason to pass
    assert not GradCheck(0.5, 1.0, (0,)).ok()
    assert not GradCheck(0.5, 1.0, (0,), diff=0.0, noise=0.0, norm=2.0).ok()
    assert GradCheck(1e-9, 1e-9, (0,), norm=1.0).ok()
    assert GradCheck(0.5, 1.0, (0,), diff=1.0, noise=1.5, norm=200.0).ok()  # within the noise, conclusive
    inf = float("inf")
    assert not GradCheck(1.0, 0.0, (0,), diff=inf, noise=inf, norm=inf).ok()  # infinite noise judges nothing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"error": float("nan")}, r"^error: expected a number >= 0, got nan$"),
        ({"noise": -1.0}, r"^noise: expected a number >= 0, got -1.0$"),
        ({"norm": "x"}, r"^norm: expected a real number \(a scalar\), got 'x'$"),
        ({"where": [0]}, r"^where: expected a tuple of indices, got \[0\]$"),
    ],
)
def test_a_result_built_by_hand_is_checked(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        GradCheck(**{"error": 0.5, "max_abs": 1.0, "where": (0,), **fields})  # type: ignore[arg-type]


def test_f_that_writes_into_its_argument_fails_at_once() -> None:
    def sneaky(w: np.ndarray) -> float:
        w[0] = 0.0  # a bug in f: the probes would silently measure the wrong points
        return float(w.sum())

    with pytest.raises(ValueError, match="read-only"):
        numerical_grad(sneaky, [1.0, 2.0])
    with pytest.raises(ValueError, match="read-only"):
        check_grad(sneaky, lambda w: np.ones_like(w), [1.0, 2.0])


def test_verdicts_say_why() -> None:
    assert compare([1.0, 2.0], [1.0, 2.0]).verdict() == "ok: error 0.0e+00 <= rtol 1e-06"
    assert compare([1.0, 2.0], [1.0, 4.0]).verdict(rtol=0.1) == (
        f"wrong: error {2 / np.hypot(1, 4):.1e} > rtol 0.1; the largest difference is at (1,)"
    )


def test_a_step_that_overflows_the_point_is_named() -> None:
    with pytest.raises(InputError, match=r"^h = 1e\+308 is too large for w\[0\] = 1e\+308: w ± h overflows$"):
        numerical_grad(lambda w: float(w.sum()), [1e308], h=1e308)


@pytest.mark.parametrize(
    ("f", "w", "h"),
    [
        (lambda w: float(w.sum()), [0.0], 1e308),  # 2 · h overflows
        (lambda w: float(1.7e308 * np.tanh(w[0] * 1e6)), [0.0], 1e-5),  # f(w + h) - f(w - h) overflows
    ],
)
def test_a_difference_beyond_float64_is_named_never_nan_or_inf(
    f: Callable[..., float], w: list[float], h: float
) -> None:
    with pytest.raises(InputError, match=r"^f: its central difference at w\[0\] \(h = .*\) is beyond float64"):
        numerical_grad(f, w, h=h)
