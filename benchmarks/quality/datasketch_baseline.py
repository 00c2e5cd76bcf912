"""The comparison row: datasketch used the ordinary way on the same corpus.

Paragraphs are blank-line separated blocks; each gets a ``MinHash`` (128 permutations) of its
lower-cased word 3-grams and goes into a ``MinHashLSH`` at Jaccard 0.5. Every LSH candidate pair
of paragraphs from two documents whose estimated Jaccard is at least 0.5 is a match; a document
pair is a copy under the detector's own rule (``min_copy_paragraphs`` matches making up
``copy_share`` of one document's paragraphs of at least ``min_words`` words), so only the paragraph
matching differs.
"""

from __future__ import annotations

import re
from collections import defaultdict

from datasketch import MinHash, MinHashLSH

from benchmarks.quality.evaluate import Found, Ref
from syndidetect import Config

_BLOCK = re.compile(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", re.S)
_WORD = re.compile(r"\w+")
JACCARD = 0.5
NUM_PERM = 128


def _minhash(text: str) -> MinHash:
    words = _WORD.findall(text.lower())
    grams = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch([g.encode("utf-8") for g in grams])
    return m


def detect(documents: tuple[tuple[str, str], ...], config: Config | None = None) -> dict[frozenset[str], Found]:
    config = config if config is not None else Config()
    lsh = MinHashLSH(threshold=JACCARD, num_perm=NUM_PERM)
    units: dict[str, tuple[Ref, MinHash]] = {}
    matchable: dict[str, int] = defaultdict(int)
    for doc_id, text in documents:
        for k, m in enumerate(_BLOCK.finditer(text)):
            if len(m.group().split()) < config.min_words:
                continue
            key = f"{doc_id}\0{k}"
            units[key] = ((doc_id, m.start(), m.end()), _minhash(m.group()))
            lsh.insert(key, units[key][1])
            matchable[doc_id] += 1
    matches: dict[frozenset[str], set[tuple[Ref, Ref]]] = defaultdict(set)
    for ref, mh in units.values():
        for other in lsh.query(mh):
            oref, omh = units[other]
            if oref[0] != ref[0] and mh.jaccard(omh) >= JACCARD:
                first, second = sorted((ref, oref))
                matches[frozenset((first[0], second[0]))].add((first, second))
    found = {}
    for pair, ms in matches.items():
        a, b = sorted(pair)
        count_a, count_b = len({m[0] for m in ms}), len({m[1] for m in ms})
        is_copy = min(count_a, count_b) >= config.rules.min_places and max(
            count_a / matchable[a], count_b / matchable[b]) >= config.rules.copy_share
        found[pair] = Found((a, b), is_copy, tuple(sorted(ms)))
    return found
