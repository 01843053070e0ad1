"""bigram_ref.corpus: reading words, the vocabulary, the bigram arrays."""

import itertools
from pathlib import Path

import numpy as np
import pytest

from bigram_ref import BOUNDARY, CorpusError, Vocab, bigrams, default_words, parse_words, read_words


def naive_bigrams(words: list[str], vocab: Vocab) -> tuple[list[int], list[int]]:
    """The lecture's loop, for cross-checking the vectorised version."""
    xs, ys = [], []
    for w in words:
        chs = [BOUNDARY, *w, BOUNDARY]
        for a, b in itertools.pairwise(chs):
            xs.append(vocab.index(a))
            ys.append(vocab.index(b))
    return xs, ys


def test_parse_strips_whitespace_blank_lines_crlf_and_bom() -> None:
    text = "\ufeffemma\r\n\r\n  olivia\t \n\n ava \r\n"
    assert parse_words(text) == ["emma", "olivia", "ava"]


def test_parse_keeps_duplicates_in_order() -> None:
    assert parse_words("b\na\nb\n") == ["b", "a", "b"]


@pytest.mark.parametrize("text", ["", "\n\n", "  \r\n\t\n", "\ufeff"])
def test_parse_rejects_no_words(text: str) -> None:
    with pytest.raises(CorpusError, match=r"^src: no words"):
        parse_words(text, source="src")


def test_parse_names_line_of_boundary_character() -> None:
    with pytest.raises(CorpusError, match=r"^f\.txt:3: word 'ann\.e' contains the boundary character '\.'$"):
        parse_words("a\n\nann.e\n", source="f.txt")


def test_read_words_file(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_bytes(b"\xef\xbb\xbfzo\xc3\xab\r\nal\n")
    assert read_words(path) == ["zoë", "al"]


def test_read_words_missing(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"nope\.txt: no such file"):
        read_words(tmp_path / "nope.txt")


def test_read_words_directory(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"is a directory"):
        read_words(tmp_path)


def test_read_words_not_utf8_names_line_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("anna\nzoë\n".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin1\.txt:2: not valid UTF-8 \(byte 0xeb at offset 7\)"):
        read_words(path)


def test_vocab_boundary_first_then_sorted() -> None:
    vocab = Vocab.from_words(["zed", "amy"])
    assert vocab.chars == (".", "a", "d", "e", "m", "y", "z")
    assert vocab.size == 7
    assert vocab.index(".") == 0


def test_vocab_roundtrip() -> None:
    vocab = Vocab.from_words(["hello", "world"])
    assert vocab.decode(vocab.encode("lowered")) == "lowered"


def test_vocab_encode_unknown_character_names_it_and_the_word() -> None:
    vocab = Vocab.from_words(["abc"])
    with pytest.raises(ValueError, match=r"word 'abz': character 'z' is not in the vocabulary"):
        vocab.encode("abz")


def test_vocab_decode_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"^ids\[1\] = 9 is out of range for V = 3$"):
        Vocab.from_words(["ab"]).decode([1, 9])


def test_vocab_requires_boundary_first() -> None:
    with pytest.raises(ValueError, match=r"^chars: expected '\.' and then distinct single characters"):
        Vocab(("a", "."))


def test_bigrams_match_the_lecture_loop() -> None:
    words = ["emma", "olivia", "ava", "zoë", "x"]
    vocab = Vocab.from_words(words)
    xs, ys = bigrams(words, vocab)
    nx, ny = naive_bigrams(words, vocab)
    assert xs.tolist() == nx
    assert ys.tolist() == ny
    assert xs.dtype == np.int64
    assert xs.size == sum(len(w) + 1 for w in words)


def test_bigrams_unknown_character_names_it_and_the_word() -> None:
    vocab = Vocab.from_words(["abc"])
    with pytest.raises(ValueError, match=r"word 'cab!': character '!' is not in the vocabulary"):
        bigrams(["abc", "cab!"], vocab)


def test_bigrams_rejects_a_bare_string() -> None:
    with pytest.raises(CorpusError, match=r"^words: expected a list of words, got a single str$"):
        bigrams("abc", Vocab.from_words(["abc"]))  # type: ignore[arg-type]


def test_default_corpus_is_embedded_real_names() -> None:
    words = default_words()
    assert len(words) == 5163
    assert len(set(words)) == len(words)
    assert {"mary", "james", "olivia"} <= set(words)
    assert all(w.isalpha() and w.islower() for w in words)
    assert Vocab.from_words(words).size == 27


def test_index_reads_a_symbol_in_nfc_as_encode_does() -> None:
    vocab = Vocab.from_words(["é"])
    assert vocab.index("e\u0301") == vocab.index("é") == 1  # e and a combining acute accent
    assert vocab.encode("e\u0301").tolist() == [1]
    with pytest.raises(ValueError, match=r"^character 'x' is not in the vocabulary$"):
        vocab.index("x")
