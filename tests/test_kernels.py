"""The numba kernel against the numpy reference (bit for bit) and both against datasketch."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import oracle
from syndidetect import minhash
from syndidetect._kernels import batch, fast, reference
from syndidetect._kernels.lookup import UNSTABLE_BIT, kernel_tables
from syndidetect.minhash import permutations

SEEDS = Path(__file__).parent.parent / "seeds"
U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

ADVERSARIAL = [
    "",
    " \t\n ",
    "...!?",
    "word",
    "two words",
    "The cat sat on the mat.",
    "Don’t PANIC — it's\u00a0fine!",
    "Ｔhe\u00a0CAFÉ ﬃ ﬁsh ① ² ½",  # NFKC: fullwidth, ligatures, circled and super digits, fractions
    "Straße STRASSE ẞ ŉ İstanbul ΐ ᾀ Σίσυφος ΣΑΣ",  # casefold expansions and final sigma
    "नमस्ते दुनिया, यह एक परीक्षण है। क्षत्रिय",  # Devanagari: vowel signs and virama are marks
    "مرحبا بالعالم، هذا اختبار. السَّلَامُ عَلَيْكُمْ ١٢٣",  # Arabic with harakat and digits
    "这是一个测试。日本語のテキストも、ここにあります。한국어 문장",  # CJK: one token per run
    "Привет, мир! Это ПРОВЕРКА ёЁ",  # Cyrillic
    "emoji 😀👍🏽 ❤️ family 👨\u200d👩\u200d👧 flag 🇫🇷 keycap 1️⃣ end",  # ZWJ, VS16, modifiers
    "combining e\u0301 e\u0301\u0302 a\u20dd \u0301lead",  # NFKC composes some, marks join tokens
    "nbsp\u00a0thin\u2009ideographic\u3000zero\u200bwidth",
    "tabs\tand\nnewlines\r\nand\x00nul\x00bytes",
    "lone \ud800 surrogate \udfff here",
    # Two lone halves side by side are two separators; paired (as UTF-16 would), they read U+20000, a letter.
    "halves \ud840\udc00 stay two, \U00020000 is one \ud83d\ude00 😀",
    "variation\ufe0fselector and \U000e0100 supplement",
    "𝐁𝐨𝐥𝐝 𝔉𝔯𝔞𝔨𝔱𝔲𝔯 𐐀𐐨 \U0001e900",  # math alphanumerics (NFKC), Deseret and Adlam case folding
    "entities &amp; &AMP; &rsquo;s &#x41;&#66; &lt;b&gt; &nbsp;x &#0; &unknown; & alone",
    "Entités&nbsp;&Eacute;T&Eacute; &#x1F600; caf&eacute;",
    "a" * 5000,
    " ".join(["x"] * 3000),
    # Invisible characters inside words are ignored (deleted before NFKC, which then composes).
    "in\u00advis\u200bible co\u200cpy\u2060cat s\ufeffoft e\u200b\u0301 \u3164a\uffa0b x\U000e0041y \u034fz\u180e",
    # Scripts without spaces: a token per ideograph or kana, chained Thai/Lao/Khmer/Myanmar letters.
    "地铁七号线开通了。東京タワーにのぼった ｶﾞｲﾄﾞ iPhone手机 GDP增长5.2% 𠀀𪚥 〇々〆",
    "กรมอุตุนิยมวิทยาประกาศเตือนว่า ทำ ที่นี่ ๒๕๖๗ปี ທີ່ ລາວ ខ្មែរ ភាសា မြန်မာ ᦀᦁᦂ ᨠᨡᨢ",
    "手\u0345a ก\u0345 ก\u200bข\u00adค 中\u0301文 ก\u0e33",  # a mark that folds to a letter; marks after letters
    # Token edges between the ASCII path and the others: a cluster letter right after or before a
    # word, a non-ASCII separator or ignorable character at an edge, separators at both ends.
    "中a a中 a’b a\u00a0中\u00a0b  \u00adx\u00ad y\u200b 中中 ab中cd中 ",
    "  \u00a0 lead and trail \u00a0  ",
    "a&b",
    "end with a cluster 中",
]


def reference_sketch(
    texts: Sequence[str], a: U32, b: U32, shingle_size: int
) -> tuple[U32, npt.NDArray[np.int64], U32, npt.NDArray[np.int64]]:
    values, offsets, tokens = reference.shingle_hashes(texts, shingle_size)
    return values, offsets, reference.minhash_rows(values, offsets, a, b), tokens


def assert_same_as_reference(texts: Sequence[str], num_perm: int = 128, seed: int = 1, shingle_size: int = 3) -> U32:
    a, b = permutations(num_perm, seed)
    values, offsets, sigs, tokens = fast.sketch(texts, a, b, shingle_size)
    ref_values, ref_offsets, ref_sigs, ref_tokens = reference_sketch(texts, a, b, shingle_size)
    np.testing.assert_array_equal(tokens, ref_tokens)
    assert values.dtype == np.uint32 and offsets.dtype == np.int64 and sigs.dtype == np.uint32
    assert sigs.shape == (len(texts), num_perm) and sigs.flags.c_contiguous
    np.testing.assert_array_equal(offsets, ref_offsets)
    np.testing.assert_array_equal(values, ref_values)
    np.testing.assert_array_equal(sigs, ref_sigs)
    np.testing.assert_array_equal(fast.signatures_only(texts, a, b, shingle_size), ref_sigs)
    return sigs


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    fast.warm_up()  # compile (or load from cache) once, before any example runs


def seed_lines() -> list[str]:
    return [line for p in sorted(SEEDS.glob("*.txt")) for line in p.read_text("utf-8").splitlines()]


# --- xxh32 -------------------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.binary(max_size=80), st.integers(0, 7))
def test_xxh32_equals_xxhash(data: bytes, pad: int) -> None:
    buf = np.frombuffer(b"\xff" * pad + data + b"\xee" * 8, dtype=np.uint8)
    assert fast._xxh32(buf, pad, pad + len(data)) == xxhash.xxh32_intdigest(data)


def test_xxh32_every_length_up_to_70() -> None:
    data = bytes(np.random.RandomState(0).randint(0, 256, 70, dtype=np.uint8))
    buf = np.frombuffer(data + b"\x00" * 3, dtype=np.uint8)  # the 3 bytes _xxh32 may read past the end
    for n in range(71):
        assert fast._xxh32(buf, 0, n) == xxhash.xxh32_intdigest(data[:n]), n


@settings(max_examples=100)
@given(st.lists(st.binary(max_size=31), min_size=1, max_size=40), st.integers(0, 255))
def test_xxh32_lanes_equal_xxhash(shingles: list[bytes], filler: int) -> None:
    """Every lane is xxh32 of its own bytes, whatever follows them in its words (the filler)."""
    padded = [s + bytes([filler]) * (32 - len(s)) for s in shingles]
    words = np.frombuffer(b"".join(padded), dtype="<u4").reshape(len(shingles), 8).T.copy()
    lengths = np.array([len(s) for s in shingles], dtype=np.int64)
    out = np.zeros(len(shingles) + 3, dtype=np.uint32)
    fast._xxh32_lanes(words, lengths, len(shingles), out, 3)
    assert out[3:].tolist() == [xxhash.xxh32_intdigest(s) for s in shingles]


def _tokens_in_scratch(tokens: list[bytes]) -> tuple[npt.NDArray[np.uint8], I64, I64]:
    """``tokens`` one space apart as the tokeniser leaves them (the scratch, its 32 spare bytes after
    them, and each token's start and end)."""
    scratch = np.frombuffer(b" ".join(tokens) + b"\xee" * 32, dtype=np.uint8)
    starts = np.cumsum([0] + [len(t) + 1 for t in tokens[:-1]]).astype(np.int64)
    return scratch, starts, starts + np.array([len(t) for t in tokens], dtype=np.int64)


def _lanes(size: int) -> tuple[U32, I64, I64]:
    return np.empty((8, size), dtype=np.uint32), np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)


@settings(max_examples=100)
@given(st.lists(st.integers(1, 20), min_size=1, max_size=30), st.integers(1, 4))
def test_shingle_hashes_of_short_and_long_shingles(token_lengths: list[int], shingle_size: int) -> None:
    """Shingles on either side of the lanes' 31 bytes (tokens of up to 20 bytes, shingles of up to
    four) hash as xxh32 of their bytes, in order, from the given offset."""
    tokens = [bytes([97 + (i % 26)]) * n for i, n in enumerate(token_lengths)]
    scratch, starts, ends = _tokens_in_scratch(tokens)
    count = len(tokens)
    out = np.zeros(count + 2, dtype=np.uint32)
    found = fast._shingle_hashes(scratch, starts, ends, count, shingle_size, _lanes(count), out, 2)
    k = min(shingle_size, count)
    expected = [xxhash.xxh32_intdigest(b" ".join(tokens[t : t + k])) for t in range(count - k + 1)]
    assert found == len(expected)
    assert out[2 : 2 + found].tolist() == expected


def test_shingle_hashes_of_a_text_longer_than_a_block_of_lanes() -> None:
    """A text of more shingles than the lanes take (``_LANE_BLOCK``): the block's, the longer ones
    among them, and those past it, hashed one by one, each land at its own place."""
    rng = np.random.RandomState(1)
    count = 2 * fast._LANE_BLOCK + 300
    letters, sizes = rng.randint(0, 26, count), rng.choice([2, 5, 9, 17], count)
    tokens = [bytes([97 + int(c)]) * int(n) for c, n in zip(letters, sizes)]
    scratch, starts, ends = _tokens_in_scratch(tokens)
    out = np.zeros(count, dtype=np.uint32)
    found = fast._shingle_hashes(scratch, starts, ends, count, 3, _lanes(fast._LANE_BLOCK), out, 0)
    expected = [xxhash.xxh32_intdigest(b" ".join(tokens[t : t + 3])) for t in range(count - 2)]
    assert any(len(b" ".join(tokens[t : t + 3])) > 31 for t in range(count - 2))  # some take the long path
    assert found == len(expected)
    assert out[:found].tolist() == expected


# --- the NFKC shortcut ---------------------------------------------------------------------------


def test_text_of_stable_code_points_is_nfkc() -> None:
    """The kernel skips NFKC for texts without ``_UNSTABLE`` code points: shuffled runs of every
    stable code point (each next to random others) must be their own NFKC form."""
    table = kernel_tables()[1]
    stable = np.flatnonzero((table & UNSTABLE_BIT) == 0)
    stable = stable[(stable < 0xD800) | (stable > 0xDFFF)]  # no lone surrogates in normalize's input
    rng = np.random.RandomState(0)
    for _ in range(3):
        text = "".join(map(chr, rng.permutation(stable[stable < 0x40000]).tolist()))
        assert unicodedata.normalize("NFKC", text) == text
    # What the shortcut is for: common punctuation, accented letters and CJK need no NFKC.
    assert not any(table[ord(c)] & UNSTABLE_BIT for c in "’“”—éüßçñ这是日本語한국ПриветΣ😀&กขไทย\u200b\u00ad")
    assert all(table[ord(c)] & UNSTABLE_BIT for c in "\u00a0\u0301…ﬁ①½Ｔ\u1161\u11a8")


# --- the kernel against the reference and datasketch -------------------------------------------


@pytest.mark.parametrize("num_perm", [1, 7, 128, 256])
@pytest.mark.parametrize("seed", [0, 1, 42])
@pytest.mark.parametrize("shingle_size", [1, 2, 3, 4, 5])
def test_adversarial_batch(num_perm: int, seed: int, shingle_size: int) -> None:
    sigs = assert_same_as_reference(ADVERSARIAL, num_perm, seed, shingle_size)
    for text, row in zip(ADVERSARIAL, sigs):
        np.testing.assert_array_equal(row, oracle(text, num_perm, seed, shingle_size), err_msg=repr(text))


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_each_text_alone_and_ascii_batches(text: str) -> None:
    """One text alone, and beside ASCII texts."""
    assert_same_as_reference([text])
    assert_same_as_reference(["plain ascii here", text, "More ASCII, Text."], shingle_size=2)


@pytest.mark.parametrize(
    ("texts", "kind"),
    [
        (["plain ascii", "More ASCII, Text."], 1),
        (["Latin-1 café", "naïve Straße ½"], 1),
        (["Don’t PANIC", "lone \ud800 surrogate \udfff", "Привет"], 2),
        (["emoji 😀 here", "halves \ud840\udc00 stay two", "plain"], 4),
    ],
)
def test_the_kernel_reads_each_kind_of_string_in_place(texts: list[str], kind: int) -> None:
    """CPython stores a string in 1, 2 or 4 bytes a code point; the kernel reads the joined batch's
    storage in its own width, and every width gives the reference's rows."""
    a, b = permutations(16, 1)
    fast.signatures_only(["warm"], a, b, 3)  # compiles the kernels (and binds carray)
    text, offsets = batch.joined(texts, batch.text_lengths(texts))
    assert offsets.tolist()[-1] == len(text)
    views = fast._units(text)
    stored_kind, by_width = views[0], views[1:]
    assert stored_kind == kind
    mine = {1: 0, 2: 1, 4: 2}[kind]
    assert [len(view) for view in by_width] == [len(text) if w == mine else 0 for w in range(3)]
    points = [ord(c) for c in "\x00".join(texts)]
    assert by_width[mine].tolist() == points
    assert [fast._code_point(views, i) for i in range(len(text))] == points
    assert_same_as_reference(texts)
    assert_same_as_reference(texts, shingle_size=1)


def test_empty_text_gives_the_empty_row() -> None:
    a, b = permutations(16, 1)
    values, offsets, sigs, _ = fast.sketch(["", "!!"], a, b, 3)
    assert len(values) == 0 and offsets.tolist() == [0, 0, 0]
    assert (sigs == 0xFFFFFFFF).all()


def test_empty_batch() -> None:
    a, b = permutations(8, 1)
    values, offsets, sigs, _ = fast.sketch([], a, b, 3)
    assert values.shape == (0,) and offsets.tolist() == [0] and sigs.shape == (0, 8)
    assert fast.signatures_only([], a, b, 3).shape == (0, 8)


def test_one_hundred_thousand_words() -> None:
    rng = np.random.RandomState(7)
    words = np.array(["alpha", "Beta", "γάμμα", "дельта", "エ", "ε\u0301"])
    text = " ".join(words[rng.randint(0, len(words), 100_000)].tolist())
    sigs = assert_same_as_reference([text, "short one"], num_perm=128, seed=1, shingle_size=5)
    np.testing.assert_array_equal(sigs[0], oracle(text, 128, 1, 5))


@pytest.mark.parametrize("shingle_size", [1, 2, 3, 4, 5])
def test_every_seed_line(shingle_size: int) -> None:
    lines = seed_lines()
    assert len(lines) > 100
    sigs = assert_same_as_reference(lines, shingle_size=shingle_size)
    if shingle_size == 3:
        for line, row in zip(lines, sigs):
            np.testing.assert_array_equal(row, oracle(line, 128, 1, 3), err_msg=line)


def test_writable_parameters_are_accepted() -> None:
    a, b = (x.copy() for x in permutations(16, 3))
    ref = reference_sketch(["a b c d"], a, b, 2)[2]
    np.testing.assert_array_equal(fast.signatures_only(["a b c d"], a, b, 2), ref)


# --- properties --------------------------------------------------------------------------------

# Letters, marks, digits, separators and symbols from several scripts, weighted towards the
# characters whose handling differs between paths (case folding, NFKC, marks, joiners, entities).
_PIECES = [
    *"abcXYZ019 ,.-'\n\t&;#",
    *"éÉßẞŉİıΣσςΐᾀﬁ①½Ｔ𝐁𐐀",
    *"\u00a0\u2009\u3000\u200b\u200d\ufe0f\u0301\u0308\u20dd\x00",
    *"नमस्तेक्षمرحباَُ١这是日本語한국ПриветЁ😀👍🏽🇫",
    "\ud800",
    "\udc00",
    "\U000e0100",
    # Invisible characters, scripts without spaces (each letter a token, or chained into chunks).
    *"\u00ad\u2060\ufeff\u180e\u2062\u034f\u3164\uffa0\u200c\u0345",
    "\U000e0041",
    *"地铁号線東京タワーにｶﾞﾟ〇々กขคงจฉทนมยรลวสหอะาำเแโใไิีึืุู่้๊๋็์ๆ๒ປລາວ່ຳខ្មែរាមြန်ာ",
    "&amp;",
    "&rsquo;",
    "&#x41;",
    "&eacute;",
    "&nbsp;",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=100)
@given(st.lists(_TEXT, max_size=8), st.integers(1, 5), st.sampled_from([1, 7, 64]), st.integers(0, 2**32 - 1))
def test_random_batches_equal_reference(texts: list[str], shingle_size: int, num_perm: int, seed: int) -> None:
    assert_same_as_reference(texts, num_perm, seed, shingle_size)


# Mostly letters of scripts written without spaces, marks and invisible characters: the paths of
# one-letter tokens, chained letters and skipped characters, and where they meet other scripts.
_SCRIPTS = st.lists(
    st.sampled_from([*"กขคงนมยรวเแไาะำิีุู่้็", *"ລາວ່ຳ", *"ខ្មែរា", *"မြန်ာ", *"中文字東京かなカナｶﾞ", *"ab é",
                     *"\u200b\u00ad\u2060\ufeff\u0301\u0345\u3164\ufe0f", " ", "。", "&shy;"]),
    max_size=60,
).map("".join)


@settings(max_examples=150)
@given(st.lists(_SCRIPTS, max_size=8), st.integers(1, 5))
def test_scripts_without_spaces_and_invisible_characters_equal_reference(texts: list[str], shingle_size: int) -> None:
    assert_same_as_reference(texts, 32, 3, shingle_size)


@settings(max_examples=60)
@given(_TEXT, st.integers(1, 4))
def test_random_text_equals_datasketch(text: str, shingle_size: int) -> None:
    sigs = assert_same_as_reference([text], num_perm=16, seed=5, shingle_size=shingle_size)
    np.testing.assert_array_equal(sigs[0], oracle(text, 16, 5, shingle_size))


@settings(max_examples=100)
@given(_TEXT, _TEXT)
def test_unigram_signature_of_a_join_is_the_minimum(first: str, second: str) -> None:
    """With one-word shingles, the shingles of ``"A B"`` are those of A and of B together."""
    a, b = permutations(32, 1)
    sigs = fast.signatures_only([first, second, first + " " + second], a, b, 1)
    np.testing.assert_array_equal(sigs[2], np.minimum(sigs[0], sigs[1]))


# --- the public entry point and the module's import contract ------------------------------------


@pytest.mark.parametrize("shingle_size", [1, 3])
def test_minhash_sketch_backends_agree(shingle_size: int) -> None:
    texts = [*ADVERSARIAL, *seed_lines()[:40]]
    fast_result = minhash.sketch(texts, num_perm=64, seed=9, shingle_size=shingle_size, backend="numba")
    slow_result = minhash.sketch(texts, num_perm=64, seed=9, shingle_size=shingle_size, backend="numpy")
    np.testing.assert_array_equal(fast_result.signatures, slow_result.signatures)
    np.testing.assert_array_equal(fast_result.hashes, slow_result.hashes)
    np.testing.assert_array_equal(fast_result.offsets, slow_result.offsets)
    assert fast_result.signatures.flags.c_contiguous


def test_import_is_lazy() -> None:
    """Importing the module neither imports numba nor compiles anything."""
    code = "import sys, syndidetect._kernels.fast; assert 'numba' not in sys.modules, 'numba imported'"
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


@settings(max_examples=200)
@given(st.lists(st.text(alphabet=st.sampled_from("a &;\u00e9\u201976"), max_size=12), max_size=12))
def test_rows_holding_entities_flags_exactly_the_texts_with_an_ampersand(texts: list[str]) -> None:
    text, spans = batch.joined(texts, batch.text_lengths(texts))
    flags = batch.rows_holding_entities(text, spans)
    assert flags.tolist() == [int("&" in t) for t in texts]
