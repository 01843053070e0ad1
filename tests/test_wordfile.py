"""bigram_ref.wordfile: lines end at \\n only, Unicode NFC, control characters, streaming in bounded memory."""

import io
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from bigram_ref import CorpusError, Vocab, bigrams, count_corpus, count_matrix, parse_words, read_words, wordfile
from bigram_ref.wordfile import iter_words

# every character that str.splitlines() breaks at, besides \n and \r\n
SPLITLINES_BREAKS = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("char", SPLITLINES_BREAKS)
def test_only_newline_ends_a_line_and_the_error_names_the_grep_line(tmp_path: Path, char: str) -> None:
    path = tmp_path / "f.txt"
    path.write_text(f"anna\nbob\ncy\nda{char}ve\neve\n", encoding="utf-8", newline="")
    with pytest.raises(CorpusError) as info:
        read_words(path)
    codepoint = f"U+{ord(char):04X}"
    kind = "a line or paragraph separator" if char in "\u2028\u2029" else "a control character"
    assert str(info.value) == f"{path}:4: word {('da' + char + 've')!r} contains {char!r} ({codepoint}), {kind}"


@pytest.mark.parametrize("char", ["\t", "\x00", "\x7f", "\x9f", "\x1f"])
def test_other_control_characters_inside_a_word_are_errors(char: str) -> None:
    with pytest.raises(CorpusError, match=r"^src:2: word .* a control character$"):
        parse_words(f"ann\nbo{char}b\n", source="src")


def test_surrounding_spaces_and_tabs_are_stripped_and_inner_spaces_kept() -> None:
    assert parse_words("\u3000anna\xa0\n\t mary ann \t\n") == ["anna", "mary ann"]


def test_crlf_and_a_bom_are_fine_a_lone_cr_is_not() -> None:
    assert parse_words("\ufeffanna\r\nbob\r\n") == ["anna", "bob"]
    with pytest.raises(CorpusError, match=r"^<text>:1: word 'anna\\rbob' contains '\\r' \(U\+000D\)"):
        parse_words("anna\rbob\n")


def test_words_are_normalised_to_nfc_and_case_is_kept(tmp_path: Path) -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    path = tmp_path / "cafe.txt"
    path.write_text(f"{composed}\n{decomposed}\nCafé\n", encoding="utf-8")
    words = read_words(path)
    assert words == [composed, composed, "Caf\u00e9"]
    assert all(unicodedata.is_normalized("NFC", w) for w in words)
    assert Vocab.from_words(words).chars == (".", "C", "a", "c", "f", "\u00e9")  # one é; C and c both kept


def test_streaming_across_chunk_boundaries_gives_the_same_words(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\ufeff" + "zoë\r\n\nrenée\n  łukasz \n" * 50 + "last"  # multi-byte characters split across reads
    data = text.encode("utf-8")
    whole = parse_words(text)
    for size in (1, 2, 3, 7, 64):
        monkeypatch.setattr(wordfile, "CHUNK_BYTES", size)
        assert [w for chunk in iter_words(io.BytesIO(data)) for w in chunk] == whole


def test_errors_name_the_right_line_and_offset_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordfile, "CHUNK_BYTES", 5)
    data = b"anna\nbob\ncyril\nren\xe9e\n"
    with pytest.raises(CorpusError, match=r"^<stream>:4: not valid UTF-8 \(byte 0xe9 at offset 18\)$"):
        list(iter_words(io.BytesIO(data)))
    with pytest.raises(CorpusError, match=r"^<stream>:3: word 'cy.ril' contains the boundary"):
        list(iter_words(io.BytesIO(b"anna\nbob\ncy.ril\n")))


def test_a_line_without_end_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordfile, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(wordfile, "CHUNK_BYTES", 256)
    assert len(read_words(io.BytesIO(b"a" * 1000 + b"\nb\n"))[0]) == 1000  # at the limit: one long word
    with pytest.raises(CorpusError, match=r"^<stream>:2: line longer than 1,000 bytes: not a word list$"):
        list(iter_words(io.BytesIO(b"ok\n" + b"\x00" * 5000)))


def test_no_words_in_a_stream() -> None:
    with pytest.raises(CorpusError, match=r"^<stream>: no words \(empty, or blank lines only\)$"):
        read_words(io.BytesIO(b"\n \n\t\n"))


def test_count_corpus_equals_counting_the_whole_list() -> None:
    rng = np.random.default_rng(0)
    alphabet = list("abcdeé日本")
    words = ["".join(rng.choice(alphabet, size=rng.integers(1, 8))) for _ in range(500)]
    chunks = [words[k : k + 37] for k in range(0, len(words), 37)]
    vocab, N, n = count_corpus(chunks)
    assert vocab == Vocab.from_words(words)
    assert n == len(words)
    assert np.array_equal(N, count_matrix(*bigrams(words, vocab), vocab.size))


def test_a_long_line_is_refused_however_it_falls_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit holds exactly: a line one byte too long is refused wherever the chunk boundaries fall."""
    monkeypatch.setattr(wordfile, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(wordfile, "CHUNK_BYTES", 256)
    for before in range(0, 300, 13):  # bytes before the long line, so that it starts anywhere in a chunk
        head = b"x" * before + b"\n"  # line 1
        assert read_words(io.BytesIO(head + b"a" * 1000 + b"\nb\n"))[-2] == "a" * 1000  # at the limit: a word
        with pytest.raises(CorpusError, match=r"^<stream>:2: line longer than 1,000 bytes: not a word list$"):
            read_words(io.BytesIO(head + b"a" * 1001 + b"\nb\n"))
        with pytest.raises(CorpusError, match=r"^<stream>:2: line longer than 1,000 bytes"):  # a last line, no \n
            read_words(io.BytesIO(head + b"a" * 1001))


def test_a_sixteen_and_a_half_mib_line_is_refused() -> None:
    """The probe's case, with the real limits: 16.5 MiB in one line got through when it ended in the next chunk."""
    line = b"a" * (33 << 19)  # 16.5 MiB
    with pytest.raises(CorpusError, match=r"^<stream>:1: line longer than 16,777,216 bytes: not a word list$"):
        read_words(io.BytesIO(line + b"\n"))


def test_text_files_paths_and_binary_files_are_all_accepted(tmp_path: Path) -> None:
    from pathlib import PurePosixPath

    path = tmp_path / "small.txt"
    path.write_bytes("\ufeffab\r\nzoë\n".encode())
    expected = ["ab", "zoë"]
    assert read_words(str(path)) == expected
    assert read_words(PurePosixPath(path)) == expected  # type: ignore[arg-type]  # any os.PathLike
    with path.open("rb") as binary:
        assert read_words(binary) == expected
        assert not binary.closed  # a stream we are given is not closed
    with path.open(encoding="utf-8") as text:
        assert read_words(text) == expected
    assert read_words(io.StringIO("ab\n")) == ["ab"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"small.txt", "source: expected a path (str or os.PathLike) or an open file, got bytes"),
        (3, "source: expected a path (str or os.PathLike) or an open file, got int"),
        (None, "source: expected a path (str or os.PathLike) or an open file, got NoneType"),
        ("", "source: the path is empty, expected a text file of words"),
    ],
)
def test_anything_else_is_a_clear_error_naming_the_argument(source: object, message: str) -> None:
    from bigram_ref import InputError

    with pytest.raises(InputError) as info:
        read_words(source)  # type: ignore[arg-type]
    assert str(info.value) == message


class NothingYet:
    """A non-blocking stream with no data: its read() returns None."""

    name = "sensor"

    def read(self, size: int) -> None:
        return None


class Counts:
    name = "counter"

    def read(self, size: int) -> int:
        return 5  # bytes(5) would be five NUL bytes


def test_a_file_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_text("ab\n")
    with open(path, "rb") as closed:
        pass
    cases: list[tuple[object, str]] = [
        (closed, f"{path}: the file is closed"),
        (NothingYet(), "sensor: read() returned None, expected bytes or str"),
        (Counts(), "counter: read() returned int, expected bytes or str"),
    ]
    for mode in ("wb", "w", "ab"):
        with open(path, mode) as write_only:
            cases.append((write_only, f"{path}: cannot read: not open for reading"))
            with pytest.raises(CorpusError) as info:
                read_words(write_only)  # type: ignore[arg-type]
            assert str(info.value) == cases[-1][1]
    for source, message in cases[:3]:
        with pytest.raises(CorpusError) as info:
            read_words(source)  # type: ignore[arg-type]
        assert str(info.value) == message


class FspathGives:
    """An os.PathLike whose __fspath__() gives ``value``, whatever it is."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __fspath__(self) -> object:
        return self.value


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("a\x00b", r"source: the path 'a\x00b' contains a NUL byte, which no file name can hold"),
        (
            "\ud800.txt",
            r"source: the path '\ud800.txt' contains '\ud800' (U+D800), a lone surrogate, which no file name can hold",
        ),
        (
            FspathGives(3),
            "source: expected a path (str or os.PathLike), got FspathGives whose __fspath__() returned int",
        ),
        (
            FspathGives(b"w.txt"),
            "source: expected a path (str or os.PathLike), got FspathGives whose __fspath__() returned bytes",
        ),
    ],
)
def test_a_path_no_file_name_can_hold_is_refused_by_source(source: object, message: str) -> None:
    from bigram_ref import InputError

    with pytest.raises(InputError) as info:
        read_words(source)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_a_path_like_giving_a_str_and_a_non_utf8_name_are_read(tmp_path: Path) -> None:
    """No false alarm: a name's undecodable bytes (Python's \\udcxx) are a real file name."""
    path = tmp_path / "caf\udce9.txt"
    path.write_bytes(b"ab\n")
    assert read_words(FspathGives(str(path))) == ["ab"]  # type: ignore[arg-type]
    assert read_words(str(path)) == ["ab"]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 64])
def test_only_one_leading_byte_order_mark_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """printf '\\xef\\xbb\\xbf\\xef\\xbb\\xbfanna\\nbob\\n': the second mark is a word's error on line 1."""
    monkeypatch.setattr(wordfile, "CHUNK_BYTES", size)
    path = tmp_path / "twice.txt"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbfanna\nbob\n")
    with pytest.raises(CorpusError) as info:
        read_words(path)
    assert str(info.value) == rf"{path}:1: word '\ufeffanna' contains '\ufeff' (U+FEFF), an invisible format character"
    path.write_bytes(b"\xef\xbb\xbfanna\nbob\n")
    assert read_words(path) == ["anna", "bob"]
    with pytest.raises(CorpusError, match=r"^<text>:1: word '\\ufeffanna' contains '\\ufeff' \(U\+FEFF\)"):
        parse_words("\ufeff\ufeffanna\nbob\n")
    with pytest.raises(CorpusError, match=r"^<stream>:1: word '\\ufeffanna' contains '\\ufeff' \(U\+FEFF\)"):
        read_words(io.StringIO("\ufeff\ufeffanna\nbob\n"))


def test_a_lone_surrogate_from_a_text_stream_is_a_word_error_not_bad_utf8() -> None:
    with pytest.raises(CorpusError) as info:
        read_words(io.StringIO("a\ud800\n"))
    assert (
        str(info.value) == r"<stream>:1: word 'a\ud800' contains '\ud800' (U+D800), a lone surrogate, not a character"
    )
    with pytest.raises(CorpusError) as info:
        read_words(io.StringIO("ok\n\udcffz\n"))
    assert (
        str(info.value) == r"<stream>:2: word '\udcffz' contains '\udcff' (U+DCFF), a lone surrogate, not a character"
    )
    # the same code point as bytes (an encoded surrogate) is not UTF-8, and says so
    with pytest.raises(CorpusError, match=r"^<stream>:1: not valid UTF-8 \(byte 0xed at offset 1\)$"):
        read_words(io.BytesIO(b"a\xed\xa0\x80\n"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((b"a\n", "x"), r"^text: expected a str, got b'a\\n'$"),
        (("a\n", 3), r"^source: expected a str, got 3$"),
        (("a\n", "x", -5), r"^first_line: expected an int >= 1, got -5$"),
    ],
)
def test_split_words_checks_its_arguments(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wordfile.split_words(*args)  # type: ignore[arg-type]
