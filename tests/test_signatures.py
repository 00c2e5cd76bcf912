"""The signature contract: bit-identical to datasketch 2.x affine32 with xxh32."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect as sd
from conftest import oracle
from syndidetect import minhash
from syndidetect._kernels import batch
from syndidetect._kernels.threads import ITEMS_PER_THREAD
from syndidetect.errors import ConfigError, InputError


def seed_lines(seeds_dir: Path) -> list[str]:
    return [line for p in sorted(seeds_dir.glob("*.txt")) for line in p.read_text("utf-8").splitlines()]


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_every_seed_line_equals_datasketch(seeds_dir: Path, backend: str) -> None:
    lines = [*seed_lines(seeds_dir), "", "one"]
    sigs = sd.signatures(lines, backend=backend)
    assert sigs.shape == (len(lines), 128) and sigs.dtype == np.uint32 and sigs.flags.c_contiguous
    for line, row in zip(lines, sigs):
        assert np.array_equal(row, oracle(line)), line


def test_empty_text_is_all_ones_and_one_word_is_not() -> None:
    sigs = sd.signatures(["", "   ", "word"], num_perm=16)
    assert (sigs[:2] == 0xFFFFFFFF).all()
    assert np.array_equal(sigs[2], oracle("word", num_perm=16))


@pytest.mark.parametrize(("num_perm", "seed", "k"), [(1, 0, 1), (7, 42, 2), (256, 3, 5)])
def test_other_parameters_match_datasketch(num_perm: int, seed: int, k: int) -> None:
    texts = ["The cat sat on the mat.", "Ünïcödé wörds, and 数字 123"]
    sigs = sd.signatures(texts, num_perm=num_perm, seed=seed, shingle_size=k)
    for text, row in zip(texts, sigs):
        assert np.array_equal(row, oracle(text, num_perm, seed, k))


@settings(max_examples=40)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=5))
def test_random_text_matches_datasketch(texts: list[str]) -> None:
    sigs = sd.signatures(texts, num_perm=8, backend="numpy")
    for text, row in zip(texts, sigs):
        assert np.array_equal(row, oracle(text, num_perm=8))


@settings(max_examples=30)
@given(st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "eps", "zeta"]), min_size=1, max_size=12),
       st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "eps", "zeta"]), min_size=1, max_size=12))
def test_signature_of_union_is_elementwise_min(left: list[str], right: list[str]) -> None:
    a, b, both = sd.signatures([" ".join(left), " ".join(right), " ".join(left + right)], shingle_size=1)
    assert np.array_equal(both, np.minimum(a, b))


def test_estimate_within_binomial_bound() -> None:
    words = [f"w{i}" for i in range(400)]
    a, b = " ".join(words[:300]), " ".join(words[100:])
    sa, sb = set(sd.shingles(a, 1)), set(sd.shingles(b, 1))
    true_j = len(sa & sb) / len(sa | sb)
    sig = sd.signatures([a, b], num_perm=512, shingle_size=1)
    estimate = float((sig[0] == sig[1]).mean())
    assert abs(estimate - true_j) <= 4 * np.sqrt(true_j * (1 - true_j) / 512)


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ConfigError, match="'num_perm' must be an int"):
        sd.signatures(["x"], num_perm=0)
    with pytest.raises(ConfigError, match="'seed' must be an int"):
        sd.signatures(["x"], seed=-1)
    with pytest.raises(ConfigError, match="'backend' must be one of"):
        sd.signatures(["x"], backend="gpu")
    with pytest.raises(InputError, match=r"'texts'\[1\] must be a str"):
        sd.signatures(["x", b"y"])  # type: ignore[list-item]
    with pytest.raises(InputError, match="not a single string"):
        sd.signatures("abc")


def test_chunked_sketch_equals_one_batch(monkeypatch: pytest.MonkeyPatch, seeds_dir: Path) -> None:
    lines = [*seed_lines(seeds_dir)[:40], "", "x"]
    whole = minhash.sketch(lines, backend="numpy")
    monkeypatch.setattr(batch, "BATCH_POINTS", 300)  # a few lines a batch, a long one alone
    assert len(batch.text_ranges(batch.text_lengths(lines))) > 5
    chunked = minhash.sketch(lines, backend="numba")
    for field in ("signatures", "hashes", "offsets", "word_counts"):
        np.testing.assert_array_equal(getattr(chunked, field), getattr(whole, field))
    np.testing.assert_array_equal(minhash.signatures(lines, backend="numba"), whole.signatures)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_a_pandas_series_with_its_own_index_is_read_by_position(
    monkeypatch: pytest.MonkeyPatch, seeds_dir: Path, backend: str
) -> None:
    """Series indexed by labels, or by integers not from 0, over several batches, with texts the
    kernel leaves to Python (an entity, a ligature): rows in the Series' order."""
    import pandas as pd  # in the test extras (Report.to_pandas)
    lines = [*seed_lines(seeds_dir)[:40], "caf&eacute; &amp; the ﬁsh shop", "", "x"]
    whole = minhash.sketch(lines, backend="numpy")
    monkeypatch.setattr(batch, "BATCH_POINTS", 300)
    for index in ([f"k{i}" for i in range(len(lines))], list(range(100, 100 + len(lines))),
                  list(range(len(lines)))[::-1]):
        series = pd.Series(lines, index=index)
        np.testing.assert_array_equal(minhash.signatures(series, backend=backend), whole.signatures)
        got = minhash.sketch(series, backend=backend)
        for field in ("signatures", "hashes", "offsets", "word_counts"):
            np.testing.assert_array_equal(getattr(got, field), getattr(whole, field))


@pytest.mark.parametrize("threads", [2, 3])
def test_batches_shared_between_threads_give_the_rows_of_one_batch(
    monkeypatch: pytest.MonkeyPatch, seeds_dir: Path, threads: int
) -> None:
    """Batches taken by several threads, with texts the kernel leaves to Python in some of them:
    every row, hash and offset where one batch puts it, whatever the machine's cores."""
    from syndidetect._kernels import fast
    from syndidetect._kernels import threads as threads_module

    lines = [*seed_lines(seeds_dir)[:60], "caf&eacute; &amp; the ﬁsh shop", "", "x", "Ǆemal ŉ", "ok"]
    whole = minhash.sketch(lines, backend="numpy")
    monkeypatch.setattr(batch, "BATCH_POINTS", 300)  # several batches a chunk, too
    monkeypatch.setattr(batch, "MIN_CHUNK_TEXTS", 1)
    counts: list[int] = []

    def on_more_threads(work: Callable[[int], None], count: int, _: int) -> None:
        counts.append(count)
        threads_module.each_on_threads(work, count, threads)

    monkeypatch.setattr(fast, "each_on_threads", on_more_threads)
    got = minhash.sketch(lines, backend="numba")
    for field in ("signatures", "hashes", "offsets", "word_counts"):
        np.testing.assert_array_equal(getattr(got, field), getattr(whole, field))
    np.testing.assert_array_equal(minhash.signatures(lines, backend="numba"), whole.signatures)
    assert len(counts) == 2 and min(counts) > 5


def test_the_kernels_start_no_numba_thread_pool_so_a_forked_child_can_sketch_too(seeds_dir: Path) -> None:
    """GNU OpenMP, numba's threading layer here, is not safe across ``fork``: a process that had run
    a parallel loop could hang in a forked child's first one. The kernels run on plain threads that
    end with each call."""
    probe = (
        "import os, sys, numba\n"
        "import syndidetect as sd\n"
        "lines = [l for l in sys.stdin.read().splitlines() if l] * 50\n"
        "before = sd.signatures(lines, backend='numba')\n"
        "try:\n"
        "    numba.threading_layer()\n"
        "    sys.exit('a threading layer started')\n"
        "except ValueError:\n"
        "    pass\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if (sd.signatures(lines, backend='numba') == before).all() else 3)\n"
        "sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
    )
    text = "\n".join(seed_lines(seeds_dir))
    done = subprocess.run([sys.executable, "-c", probe], input=text, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout


def test_text_chunks_give_each_thread_a_few_chunks_of_enough_texts() -> None:
    fewest = batch.MIN_CHUNK_TEXTS
    for count, threads in [(0, 2), (1, 1), (10**6, 1), (10, 2), (fewest * 2 * ITEMS_PER_THREAD * 3 + 5, 2),
                           (fewest * 5, 3)]:
        chunks = batch.text_chunks(count, threads)
        if not count:
            assert chunks == []
            continue
        assert [first for first, _ in chunks] == [0] + [last for _, last in chunks[:-1]]  # consecutive
        assert chunks[-1][1] == count
        if threads == 1:
            assert len(chunks) == min(count, 1)  # one thread: one chunk
        else:
            assert all(last - first >= fewest for first, last in chunks[:-1])
            assert len(chunks) <= max(threads * ITEMS_PER_THREAD, 1)
    many = fewest * 2 * ITEMS_PER_THREAD * 3
    assert len(batch.text_chunks(many, 2)) == 2 * ITEMS_PER_THREAD  # large calls: four chunks a thread
    assert len(batch.text_chunks(10, 2)) == 1  # small ones: one


def test_a_text_that_is_not_a_str_is_named_whichever_thread_meets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "MIN_CHUNK_TEXTS", 1)
    texts: list[object] = [f"paragraph {k} of the text" for k in range(500)]
    for bad, name in [(b"bytes", "bytes"), (7, "int"), (None, "NoneType")]:
        texts[321] = bad
        texts[450] = bad
        for backend in ("numba", "numpy"):
            for call in (minhash.signatures, minhash.sketch):
                with pytest.raises(InputError, match=rf"^'texts'\[321\] must be a str; got {name}$"):
                    call(texts, backend=backend)  # type: ignore[arg-type]


def test_each_item_runs_once_on_as_many_threads_as_asked() -> None:
    from syndidetect._kernels.threads import each_on_threads

    meeting = threading.Barrier(3, timeout=30)  # the first three items wait for one another
    done: list[int] = []
    idents: set[int] = set()

    def work(k: int) -> None:
        if k < 3:
            meeting.wait()
        idents.add(threading.get_ident())
        done.append(k)

    each_on_threads(work, 50, 3)
    assert sorted(done) == list(range(50)) and len(idents) == 3
    each_on_threads(work, 0, 3)  # nothing to do
    done.clear()
    each_on_threads(done.append, 4, 1)
    assert done == [0, 1, 2, 3]  # one thread: in order, here


def test_the_first_error_stops_every_thread_and_is_raised_to_the_caller() -> None:
    from syndidetect._kernels.threads import each_on_threads

    done: list[int] = []

    def work(k: int) -> None:
        if k == 5:
            raise ValueError("item 5")
        time.sleep(0.001)
        done.append(k)

    with pytest.raises(ValueError, match="item 5"):
        each_on_threads(work, 10_000, 2)
    assert 5 not in done and len(done) < 50  # the others stopped taking items


def test_items_are_drawn_only_as_threads_are_free_for_them() -> None:
    from syndidetect._kernels.threads import each_item_on_threads

    drawn = [0]
    finished: list[int] = []
    held: list[int] = []  # items drawn and not finished, each time one is drawn
    lock = threading.Lock()

    def items() -> Iterator[str]:
        for k in range(40):
            with lock:
                drawn[0] += 1
                held.append(drawn[0] - len(finished))
            yield f"item {k}"

    def work(k: int, item: str) -> None:
        assert item == f"item {k}"
        time.sleep(0.001)
        with lock:
            finished.append(k)

    each_item_on_threads(work, items(), 3)
    assert sorted(finished) == list(range(40)) and max(held) <= 3
    finished.clear()
    each_item_on_threads(work, items(), 1)
    assert finished == list(range(40))  # one thread: in order


def test_a_lone_item_is_worked_in_the_calling_thread_and_freed_memory_goes_back() -> None:
    # One item (a small call's one batch) starts no helper thread: glibc gives each thread that
    # allocates an arena of its own, which keeps what is freed there.
    from syndidetect._kernels import threads as threads_module

    seen: list[tuple[int, str]] = []
    spawned = threading.active_count()

    def work(k: int, item: str) -> None:
        seen.append((threading.get_ident(), item))
        assert threading.active_count() == spawned

    threads_module.each_item_on_threads(work, iter(["only"]), 4)
    threads_module.each_item_on_threads(work, iter([]), 4)
    assert seen == [(threading.get_ident(), "only")]
    from syndidetect._kernels.glibc import give_back_freed_memory

    give_back_freed_memory()  # glibc's trim here; nothing where there is none


def test_an_error_of_the_items_iterator_is_raised_to_the_caller() -> None:
    from syndidetect._kernels.threads import each_item_on_threads

    done: list[int] = []

    def items() -> Iterator[int]:
        yield from range(5)
        raise ValueError("the sixth item")

    with pytest.raises(ValueError, match="the sixth item"):
        each_item_on_threads(lambda k, item: done.append(item), items(), 2)
    assert sorted(done) == [0, 1, 2, 3, 4]


def test_text_ranges_cover_the_texts_within_the_batch_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "BATCH_POINTS", 10)
    texts = ["abc", "defgh", "", "ij", "a" * 25, "k", "lm"]
    ranges = batch.text_ranges(batch.text_lengths(texts))
    assert ranges == [(0, 2), (2, 4), (4, 5), (5, 7)]  # 4+6, 1+3, the long one alone, 2+3
    assert batch.text_ranges(batch.text_lengths([])) == []


# --- which kernel runs: the numpy one for small work and without numba ----------------------------

_WHICH_KERNEL = """
import sys
if sys.argv[1] == "without-numba":
    sys.modules["numba"] = None  # as if numba were not installed: importing it fails, find_spec finds none
import numpy as np
import syndidetect as sd
from syndidetect import minhash
from syndidetect._kernels import batch
from syndidetect.errors import MissingDependencyError
texts = open(sys.argv[2], encoding="utf-8").read().split("\\n")
small = sd.signatures(texts[:10])
numba_loaded = sys.modules.get("numba") is not None
print("after small:", "syndidetect._kernels.fast" in sys.modules, numba_loaded)
many = texts * (minhash.FAST_KERNEL_AFTER_TEXTS // len(texts) + 1)
sigs = sd.signatures(many)
print("after many:", "syndidetect._kernels.fast" in sys.modules)
np.save(sys.argv[3], sigs[: len(texts)])
try:
    sd.signatures(texts, backend="numba")
except MissingDependencyError as exc:
    print(exc)
"""


def _which_kernel(mode: str, lines: list[str], tmp_path: Path) -> tuple[list[str], np.ndarray]:
    source, out = tmp_path / "texts.txt", tmp_path / "sigs.npy"
    source.write_text("\n".join(lines), "utf-8")
    run = subprocess.run([sys.executable, "-c", _WHICH_KERNEL, mode, str(source), str(out)],
                         capture_output=True, text=True, timeout=600, check=True)
    return run.stdout.splitlines(), np.load(out)


def test_without_numba_the_numpy_kernel_runs_and_the_hint_names_numba(seeds_dir: Path, tmp_path: Path) -> None:
    lines = seed_lines(seeds_dir)[:50]
    output, sigs = _which_kernel("without-numba", lines, tmp_path)
    assert output == [
        "after small: False False",
        "after many: False",  # past the threshold too: the fallback, not the compiled kernel
        "'numba' is not installed; install it with: pip install numba",
    ]
    np.testing.assert_array_equal(sigs, sd.signatures(lines, backend="numpy"))
    assert np.array_equal(sigs[0], oracle(lines[0]))


def test_small_work_never_imports_numba_and_a_corpus_compiles(seeds_dir: Path, tmp_path: Path) -> None:
    lines = seed_lines(seeds_dir)[:50]
    output, sigs = _which_kernel("with-numba", lines, tmp_path)
    assert output == ["after small: False False", "after many: True"]
    np.testing.assert_array_equal(sigs, sd.signatures(lines, backend="numpy"))


@pytest.mark.parametrize("seed", [0, 1, 2, 42, 2**31 - 1, 2**31, 2**32 - 1])
@pytest.mark.parametrize("num_perm", [1, 7, 128, 624, 625, 4096])
def test_permutations_are_numpys_random_state_draws(seed: int, num_perm: int) -> None:
    """permutations() runs MT19937 without numpy.random: its draws must be RandomState's, as datasketch makes them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    ours_a, ours_b = minhash.permutations(num_perm, seed)
    assert ours_a.dtype == ours_b.dtype == np.uint32
    np.testing.assert_array_equal(ours_a, a)
    np.testing.assert_array_equal(ours_b, b)
