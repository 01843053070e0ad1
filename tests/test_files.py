"""bigram_ref.files: output files appear whole or not at all, keep their mode, and links and devices survive."""

import os
import stat
import threading
from pathlib import Path

import pytest

from bigram_ref import files
from bigram_ref.files import check_target, write_text, write_texts
from bigram_ref.validate import InputError


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_an_existing_file_is_replaced_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    target.chmod(0o644)
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert mode(target) == 0o644
    target.chmod(0o604)
    write_text(target, "newer\n")
    assert mode(target) == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_umask_mode(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        write_text(tmp_path / "new.txt", "x\n")
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.txt") == 0o666 & ~umask


def test_the_file_is_synced_before_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    write_text(tmp_path / "out.txt", "x\n")
    assert events == ["fsync", "replace"]


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new\n"
    assert mode(real) == 0o640
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "later.txt")
    write_text(dangling, "made\n")
    assert dangling.is_symlink() and (tmp_path / "later.txt").read_text() == "made\n"


def test_a_fifo_is_written_to_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_text(fifo, "through the pipe\n")
    reader.join(timeout=10)
    assert received == ["through the pipe\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_device_is_written_to_never_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A character device, mocked: write_text opens it for writing instead of renaming over it."""
    device = tmp_path / "dev"
    device.write_text("")
    real_stat = os.stat

    def fake_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        result = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        if Path(str(path)) == device:
            fields = list(result)
            fields[0] = stat.S_IFCHR | 0o666
            return os.stat_result(fields)
        return result

    monkeypatch.setattr(os, "stat", fake_stat)
    monkeypatch.setattr(os, "replace", lambda *a: pytest.fail("a device must never be replaced"))
    write_text(device, "to the device\n")
    assert device.read_text() == "to the device\n"


def test_errors_name_the_users_path_not_the_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device", src)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left") as info:
        write_text(target, "new\n")
    assert info.value.filename == str(target)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_several_files_are_replaced_all_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bench --record: a device that refuses its text (mocked: a FIFO whose write fails) leaves the regular file old."""
    first, second = tmp_path / "bench.json", tmp_path / "bench.md"
    first.write_text("old json\n")
    os.mkfifo(second)

    def full_device(path: object, data: bytes, real: Path) -> None:
        raise OSError(28, "No space left on device", os.fspath(path))  # type: ignore[call-overload]

    monkeypatch.setattr(files, "_write_through", full_device)
    with pytest.raises(OSError, match="No space left") as info:
        write_texts([(first, "new json\n"), (second, "new table\n")], "--record")
    assert info.value.filename == str(second)
    assert first.read_text() == "old json\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench.json", "bench.md"]  # no temporary file left


def test_several_files_are_all_replaced(tmp_path: Path) -> None:
    first, second = tmp_path / "bench.json", tmp_path / "bench.md"
    first.write_text("old json\n")
    write_texts([(first, "new json\n"), (second, "new table\n")], "--record")
    assert (first.read_text(), second.read_text()) == ("new json\n", "new table\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench.json", "bench.md"]


def test_a_second_file_that_cannot_be_written_is_found_before_the_first_is_touched(tmp_path: Path) -> None:
    first = tmp_path / "bench.json"
    first.write_text("old json\n")
    with pytest.raises(InputError, match="is a directory"):
        write_texts([(first, "new json\n"), (tmp_path, "new table\n")], "--record")
    assert first.read_text() == "old json\n"


@pytest.mark.parametrize("length", [200, 201, 250, 255])
def test_a_name_near_the_length_limit_is_written(tmp_path: Path, length: int) -> None:
    target = tmp_path / ("x" * length)
    target.write_text("old\n")
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("dir", r"dir: is a directory, expected a file path for --out$"),
        ("missing/out.txt", r"missing/out\.txt: the directory .*missing does not exist$"),
    ],
)
def test_directories_and_missing_folders_are_refused(tmp_path: Path, where: str, message: str) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(InputError, match=message):
        files.check_target(tmp_path / where)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("", r"^--out: the path is empty, expected a file path$"),
        ("new/", r"^new/: names a directory \(it ends in /, \. or \.\.\), expected a file path for --out$"),
        ("dir/.", r"^dir/\.: names a directory"),
        ("dir/..", r"^dir/\.\.: names a directory"),
        ("file.txt/x.txt", r"^file\.txt/x\.txt: .*/file\.txt is not a directory$"),
        ("loop", r"^loop: a loop of symbolic links, expected a file path for --out$"),
        ("dir/loop/x.txt", r"^dir/loop/x\.txt: a loop of symbolic links"),
    ],
)
def test_paths_that_cannot_be_a_new_file_are_refused_by_the_given_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, message: str
) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "file.txt").write_text("old\n")
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "dir" / "loop").symlink_to("loop")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=message):
        files.check_target(where)
    with pytest.raises(InputError, match=message):
        write_text(where, "x\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "file.txt", "loop"]


def test_good_paths_pass_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No false alarms: a new file, an existing one, a dangling link, a relative path in the current folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.txt").write_text("old\n")
    (tmp_path / "dangling").symlink_to("later.txt")
    assert files.check_target("new.txt") == tmp_path / "new.txt"
    assert files.check_target("./old.txt") == tmp_path / "old.txt"
    assert files.check_target("dangling") == tmp_path / "later.txt"


def test_write_permission_is_checked_as_the_shell_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.access decides (a test double here, since root may write anything): the file, then its folder."""
    target = tmp_path / "ro.txt"
    target.write_text("old\n")
    denied: set[Path] = {target}
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **k: Path(p) not in denied and real_access(p, m, **k))
    with pytest.raises(PermissionError) as info:
        write_text(target, "new\n")
    assert (info.value.filename, info.value.strerror) == (str(target), "Permission denied")
    denied = {tmp_path}
    with pytest.raises(PermissionError) as info:
        write_text(target, "new\n")
    assert info.value.strerror == f"Permission denied (cannot create files in {tmp_path})"
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ro.txt"]


def test_a_hard_link_is_replaced_under_the_given_name_only(tmp_path: Path) -> None:
    """As documented: the rename makes a new file, so the other name keeps the old text."""
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    other = tmp_path / "other.txt"
    os.link(target, other)
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert other.read_text() == "old\n"
    assert os.stat(target).st_nlink == 1


@pytest.mark.parametrize("name", ["/dev/fd/{fd}", "/proc/self/fd/{fd}"])
def test_an_open_descriptor_is_written_through_not_replaced(tmp_path: Path, name: str) -> None:
    """`--out /dev/stdout >> log.txt`: the shell's append must survive (the probe found the log wiped)."""
    log = tmp_path / "log.txt"
    log.write_text("precious line\n")
    with open(log, "ab") as fh:
        write_text(name.format(fd=fh.fileno()), "sampled\n")
    assert log.read_text() == "precious line\nsampled\n"


def test_a_pipe_descriptor_is_written_through() -> None:
    read, write = os.pipe()
    try:
        write_text(f"/dev/fd/{write}", "through the pipe\n")
        assert os.read(read, 100) == b"through the pipe\n"
    finally:
        os.close(read)
        os.close(write)


def test_a_closed_descriptor_is_refused() -> None:
    read, write = os.pipe()
    os.close(read)
    os.close(write)
    with pytest.raises(
        InputError, match=rf"^/dev/fd/{write}: descriptor {write} is not open, expected a file path for --out$"
    ):
        check_target(f"/dev/fd/{write}")


def test_another_users_file_in_a_sticky_folder_is_refused_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a folder like /tmp (mode 1777) only a file's owner may rename over it: the rename would fail after the work.

    The test runs as some other user (a stand-in for os.geteuid, since root may replace anything).
    """
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    target = folder / "theirs.txt"
    target.write_text("old\n")
    monkeypatch.setattr(os, "geteuid", lambda: 4242)  # neither the file's owner nor the folder's
    with pytest.raises(PermissionError) as info:
        check_target(target)
    assert info.value.filename == str(target)
    assert (
        info.value.strerror == f"Operation not permitted (the folder {folder} is sticky and the file is another user's)"
    )
    assert check_target(folder / "new.txt") == folder / "new.txt"  # a new file is fine there
    folder.chmod(0o777)  # not sticky: anyone who may write the folder may replace the file
    assert check_target(target) == target


def test_your_own_file_in_a_sticky_folder_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    target = folder / "mine.txt"
    target.write_text("old\n")
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(target).st_uid)
    write_text(target, "new\n")
    assert target.read_text() == "new\n"


def test_the_replaced_file_belongs_to_the_writer(tmp_path: Path) -> None:
    """As documented: the rename makes a new file, so its owner is whoever wrote it, not the old file's."""
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    if os.geteuid() == 0:  # only root can give a file away; then the new file must come back to root
        os.chown(target, 4242, 4242)
    write_text(target, "new\n")
    assert (os.stat(target).st_uid, os.stat(target).st_gid) == (os.geteuid(), os.getegid())


def test_a_too_long_name_is_refused_by_the_given_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    name = "x" * 300
    message = f"{name}: the path or a name in it is too long for the file system, expected a file path for --record"
    with pytest.raises(InputError) as info:
        check_target(name, "--record")
    assert str(info.value) == message
    with pytest.raises(InputError, match="too long for the file system"):
        check_target(f"{name}/out.txt")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("errno_", "reason"),
    [(2, "the file system does not allow new files"), (30, "Read-only file system"), (28, "No space left on device")],
)
def test_a_folder_where_no_file_can_be_made_is_found_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, errno_: int, reason: str
) -> None:
    """The check makes (and removes) an empty file as the write will; /proc answers ENOENT, a read-only mount EROFS."""
    import tempfile

    def refuse(**kwargs: object) -> tuple[int, str]:
        raise OSError(errno_, os.strerror(errno_), str(tmp_path / ".tmpx.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(OSError, match="cannot create files in") as info:
        check_target(tmp_path / "out.txt")
    assert (info.value.errno, info.value.filename) == (errno_, str(tmp_path / "out.txt"))
    assert info.value.strerror == f"{reason} (cannot create files in {tmp_path})"


def test_the_check_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("old\n")
    check_target(tmp_path / "new.txt")
    check_target(tmp_path / "old.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


def test_a_failure_to_examine_the_path_names_the_given_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any other OSError while checking (here EACCES on a folder root could search) names the path as given."""
    monkeypatch.chdir(tmp_path)
    real_stat = os.stat

    def stat_(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).endswith("out.txt"):
            raise PermissionError(13, "Permission denied", str(tmp_path / "out.txt"))
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat_)
    with pytest.raises(PermissionError) as info:
        check_target("out.txt")
    assert info.value.filename == "out.txt"


def test_a_path_no_file_name_can_hold_is_refused_by_the_option(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        check_target("a\x00b", "--record")
    assert str(info.value) == r"--record: the path 'a\x00b' contains a NUL byte, which no file name can hold"
    with pytest.raises(InputError) as info:
        write_text(tmp_path / "x\udfff.txt", "text\n")
    assert str(info.value) == (
        rf"--out: the path '{tmp_path}/x\udfff.txt' contains '\udfff' (U+DFFF), a lone surrogate,"
        " which no file name can hold"
    )
    assert list(tmp_path.iterdir()) == []


def test_path_text_passes_real_names(tmp_path: Path) -> None:
    """No false alarm: a str, a Path, and a name whose bytes are not UTF-8 (Python's \\udce9)."""
    assert files.path_text("names.txt", "--corpus") == "names.txt"
    assert files.path_text(tmp_path / "a.txt", "--out") == f"{tmp_path}/a.txt"
    write_text(tmp_path / "caf\udce9.txt", "x\n")
    assert (tmp_path / "caf\udce9.txt").read_text() == "x\n"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ("out.txt", r"^files: expected a list of \(path, text\) pairs, got 'out.txt'$"),
        ([("out.txt", "a", "b")], r"^files\[0\]: expected a \(path, text\) pair, got \('out.txt', 'a', 'b'\)$"),
    ],
)
def test_write_texts_takes_pairs(files: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        write_texts(files, "--record")  # type: ignore[arg-type]
