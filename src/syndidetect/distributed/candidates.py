"""Candidate document pairs on Dask: the in-process LSH and estimate filter, spread over partitions.

1. Band keys are exploded to one row per (band, key, paragraph) and shuffled on (band, key), so
   every bucket lands whole in one partition, where :func:`~syndidetect.lsh.candidate_pairs` turns
   it into paragraph row pairs exactly as in process (same rows, same order, same chaining).
2. Each row pair fetches both paragraphs' signatures from the partitions that hold them (two small
   shuffles of row pairs, the signatures never move on their own; a pair found in several buckets
   is deduplicated in the first) and :func:`~syndidetect.lsh.likely_pairs` drops those whose
   estimated containment cannot reach the threshold, before any document data is joined to a pair.
3. The document pairs left (a home and an away document each, :func:`home_and_away`; 16 bytes)
   are gathered in one partition and deduplicated there.

When the corpus's signatures fit one task (see :mod:`.pipeline`), :func:`gathered_candidates` skips
all three: the partitions' signatures are gathered in one task, which runs the in-process LSH and
estimate filter itself and gives distinct pairs in one partition. Verification takes the pairs
whole (one partition) either way (:func:`~syndidetect.distributed.verification.judged`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from syndidetect.config import Config
from syndidetect.distributed.deps import dask_modules
from syndidetect.distributed.prepare import DOC_BITS, ROW_BITS, row_divisions
from syndidetect.distributed.tasks import dask_task
from syndidetect.document_candidates import owner_pairs
from syndidetect.lsh import band_keys, band_layout, candidate_pairs, likely_pairs


def _signatures(frame: Any, num_perm: int) -> list[Any]:
    return [np.frombuffer(b, dtype=np.uint32).reshape(-1, num_perm) for b in frame["sigs"]]


def _row_orders(frame: Any, rows: int) -> Any:
    """Row orders of ``rows`` matchable paragraphs of a partition (see :mod:`.prepare`)."""
    ords = frame.index.to_numpy(dtype=np.int64)
    first = (ords[0] >> DOC_BITS) << ROW_BITS if len(ords) else 0
    return first + np.arange(rows, dtype=np.int64)


@dask_task
def band_rows(frame: Any, config: Config) -> Any:
    """One row per (matchable paragraph, band): band, key, row order and document ordinal."""
    _, _, pd = dask_modules()
    bands, rows = band_layout(config)
    sigs = _signatures(frame, config.num_perm)
    counts = np.array([len(s) for s in sigs], dtype=np.int64)
    flat = np.concatenate(sigs) if sigs else np.zeros((0, config.num_perm), dtype=np.uint32)
    keys = band_keys(flat, bands, rows)
    return pd.DataFrame({
        "band": np.tile(np.arange(bands, dtype=np.int16), len(flat)),
        "key": keys.reshape(-1),
        "order": np.repeat(_row_orders(frame, len(flat)), bands),
        "doc": np.repeat(np.repeat(frame.index.to_numpy(dtype=np.int64), counts), bands),
    })


@dask_task
def bucket_row_pairs(frame: Any) -> Any:
    """Row pairs ``(ra, rb)`` of the buckets in one shuffled partition (each bucket is whole here),
    with their documents ``(a, b)``; pairs inside one document are left out, as in process.

    The uint64 key is split into two uint32 "rows" of a one-band signature, so ``candidate_pairs``
    sees exactly the buckets the in-process LSH sees, in the same row order.
    """
    _, _, pd = dask_modules()
    found = [np.zeros((0, 4), dtype=np.int64)]
    for _, group in frame.groupby("band", sort=False):
        group = group.sort_values("order", kind="stable")
        keys = group["key"].to_numpy(dtype=np.uint64)
        sig = np.stack([(keys >> np.uint64(32)).astype(np.uint32), keys.astype(np.uint32)], axis=1)
        owners = group["doc"].to_numpy(dtype=np.int64)
        pairs = candidate_pairs(sig, 1, 2, owners)
        orders = group["order"].to_numpy(dtype=np.int64)
        found.append(np.stack([orders[pairs[:, 0]], orders[pairs[:, 1]], owners[pairs[:, 0]], owners[pairs[:, 1]]],
                              axis=1))
    rows = np.unique(np.concatenate(found), axis=0)
    return pd.DataFrame({"ra": rows[:, 0], "rb": rows[:, 1], "a": rows[:, 2], "b": rows[:, 3]})


def row_sketches(frame: Any, num_perm: int) -> Any:
    """``(order, sig, size)`` of every matchable paragraph of a partition (the signature as bytes)."""
    _, _, pd = dask_modules()
    sigs = _signatures(frame, num_perm)
    flat = np.concatenate(sigs) if sigs else np.zeros((0, num_perm), dtype=np.uint32)
    sizes = [np.frombuffer(b, dtype=np.int64) for b in frame["sizes"]]
    return pd.DataFrame({"order": _row_orders(frame, len(flat)),
                         "sig": pd.Series([row.tobytes() for row in flat], dtype=object),
                         "size": np.concatenate(sizes) if sizes else np.zeros(0, np.int64)})


def _matrix(cells: Any, num_perm: int) -> Any:
    return np.frombuffer(b"".join(cells), dtype=np.uint32).reshape(-1, num_perm)


# Odd 64-bit constants (splitmix64's) that mix a pair's ordinals into the bit choosing its home.
_MIX_A = np.uint64(0x9E3779B97F4A7C15)
_MIX_B = np.uint64(0xBF58476D1CE4E5B9)


def home_and_away(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64],
                                                                             npt.NDArray[np.int64]]:
    """Per pair, the document whose partition judges it (home) and the one whose data travels there
    (away): either with equal chance, by a hash of the pair. Sending every pair ``a < b`` to ``b``'s
    partition piled them up in the last partitions (433 to 3,840 pairs over five partitions at 100k
    paragraphs), which one worker then judged alone while the other waited."""
    with np.errstate(over="ignore"):  # the mixing wraps around, as meant
        mixed = (a.astype(np.uint64) * _MIX_A + b.astype(np.uint64)) * _MIX_B
    at_a = (mixed >> np.uint64(63)).astype(np.bool_)
    return np.where(at_a, a, b), np.where(at_a, b, a)


@dask_task
def likely_partition(frame: Any, config: Config) -> Any:
    """The document pairs ``(away, home)`` of the row pairs whose estimated containment can reach the
    threshold (:func:`~syndidetect.lsh.likely_pairs`, the in-process filter), see :func:`home_and_away`."""
    _, _, pd = dask_modules()
    if not len(frame):
        return pd.DataFrame({"away": np.zeros(0, np.int64), "home": np.zeros(0, np.int64)})
    sigs = np.concatenate([_matrix(frame["sig_a"], config.num_perm), _matrix(frame["sig_b"], config.num_perm)])
    sizes = np.concatenate([frame["size_a"].to_numpy(dtype=np.int64), frame["size_b"].to_numpy(dtype=np.int64)])
    n = len(frame)
    kept = likely_pairs(sigs, sizes, np.stack([np.arange(n), np.arange(n) + n], axis=1), config.threshold)[:, 0]
    home, away = home_and_away(frame["a"].to_numpy(dtype=np.int64)[kept], frame["b"].to_numpy(dtype=np.int64)[kept])
    return pd.DataFrame({"away": away, "home": home})


def unique_pairs(frame: Any, column: str) -> Any:
    """The rows of ``frame`` with distinct (index, ``column``), in order of both: every copy of a pair
    must be in ``frame`` (after a shuffle on the index, or all the pairs in one partition)."""
    first = frame.index.to_numpy(dtype=np.int64)
    second = frame[column].to_numpy(dtype=np.int64)
    order = np.lexsort((second, first))
    first, second = first[order], second[order]
    kept = np.ones(len(order), dtype=np.bool_)
    kept[1:] = (first[1:] != first[:-1]) | (second[1:] != second[:-1])
    return frame.iloc[order[kept]]


def candidates(prepared: Any, config: Config) -> Any:
    """Deduplicated likely candidate document pairs by ordinal, in one partition: column ``home``,
    indexed by ``away``."""
    _, _, pd = dask_modules()
    n = prepared.npartitions
    row_meta = pd.DataFrame({"band": np.zeros(0, np.int16), "key": np.zeros(0, np.uint64),
                             "order": np.zeros(0, np.int64), "doc": np.zeros(0, np.int64)})
    ints = {c: np.zeros(0, np.int64) for c in ("ra", "rb", "a", "b")}
    rows = prepared[["sigs"]].map_partitions(band_rows, config, meta=row_meta, enforce_metadata=False,
                                             clear_divisions=True)
    shuffled = rows.shuffle(on=["band", "key"], npartitions=n)
    pairs = shuffled.map_partitions(bucket_row_pairs, meta=pd.DataFrame(ints), enforce_metadata=False)
    sketch_meta = pd.DataFrame({"order": np.zeros(0, np.int64), "sig": pd.Series([], dtype=object),
                                "size": np.zeros(0, np.int64)})
    sketches = prepared[["sigs", "sizes"]].map_partitions(row_sketches, config.num_perm, meta=sketch_meta,
                                                          enforce_metadata=False, clear_divisions=True)
    divisions = row_divisions(n)
    sketches = sketches.set_index("order", sorted=True, divisions=divisions)
    # To the partition of each row, where its signature joins; a row pair found in several buckets
    # is dropped to one on the way to its first row's partition.
    pairs = pairs.set_index("ra", divisions=divisions).map_partitions(unique_pairs, "rb")
    pairs = pairs.join(sketches.rename(columns={"sig": "sig_a", "size": "size_a"}))
    pairs = pairs.set_index("rb", divisions=divisions).join(sketches.rename(columns={"sig": "sig_b", "size": "size_b"}))
    pair_meta = pd.DataFrame({"away": np.zeros(0, np.int64), "home": np.zeros(0, np.int64)})
    likely = pairs.map_partitions(likely_partition, config, meta=pair_meta, enforce_metadata=False)
    return likely.repartition(npartitions=1).map_partitions(distinct_pairs, meta=_whole_pairs_meta(pd),
                                                            enforce_metadata=False)


def distinct_pairs(frame: Any) -> Any:
    """Rows ``(away, home)`` as distinct pairs, ``home`` indexed by ``away``."""
    return unique_pairs(frame.set_index("away"), "home")


def _whole_pairs_meta(pd: Any) -> Any:
    return pd.DataFrame({"home": np.zeros(0, np.int64)}, index=pd.Index(np.zeros(0, np.int64), name="away"))


def matchable_counts(sizes: Any) -> npt.NDArray[np.int64]:
    """Per document, its number of matchable paragraphs: the length of its ``sizes`` cell (one
    int64 shingle count a matchable paragraph)."""
    return np.fromiter((len(cell) // 8 for cell in sizes), dtype=np.int64, count=len(sizes))


def partition_sketch(frame: Any) -> Any:
    """A prepared partition's matchable signatures and shingle counts as one row of buffers:
    ``ords`` (the documents' ordinals), ``rows`` (their numbers of matchable paragraphs), ``sigs``
    and ``sizes``. Gathered cell by cell, the corpus's signatures moved as a million small objects
    at 1M paragraphs."""
    _, _, pd = dask_modules()
    cells = {"ords": frame.index.to_numpy(dtype=np.int64).tobytes(), "rows": matchable_counts(frame["sizes"]).tobytes(),
             "sigs": b"".join(frame["sigs"]), "sizes": b"".join(frame["sizes"])}
    return pd.DataFrame({name: pd.Series([cell], dtype=object) for name, cell in cells.items()})


@dask_task
def gathered_pairs(frame: Any, config: Config) -> Any:
    """The likely candidate document pairs (``home`` indexed by ``away``) of a whole corpus, the rows of
    :func:`partition_sketch` of every prepared partition gathered in ``frame`` in order:
    :func:`~syndidetect.document_candidates.owner_pairs`, the in-process LSH and estimate filter, over the same rows
    in the same order as in process."""
    _, _, pd = dask_modules()

    def joined(column: str, dtype: type[np.generic]) -> npt.NDArray[Any]:
        return np.frombuffer(b"".join(frame[column]), dtype=dtype)

    ordinals, rows = joined("ords", np.int64), joined("rows", np.int64)
    sigs = joined("sigs", np.uint32).reshape(-1, config.num_perm)
    owners = np.repeat(np.arange(len(ordinals), dtype=np.int64), rows)
    pairs = owner_pairs(sigs, owners, joined("sizes", np.int64), len(ordinals), *band_layout(config),
                        config.threshold)
    home, away = home_and_away(ordinals[pairs[:, 0]], ordinals[pairs[:, 1]])
    return pd.DataFrame({"home": home}, index=pd.Index(away, name="away"))


def gathered_candidates(prepared: Any, config: Config) -> Any:
    """:func:`candidates`, the LSH run in one task on the signatures of all partitions (its pairs
    distinct already)."""
    _, _, pd = dask_modules()
    sketch_meta = pd.DataFrame({c: pd.Series([], dtype=object) for c in ("ords", "rows", "sigs", "sizes")})
    sketches = prepared[["sigs", "sizes"]].map_partitions(partition_sketch, meta=sketch_meta, enforce_metadata=False,
                                                          clear_divisions=True)
    whole = sketches.repartition(npartitions=1)
    return whole.map_partitions(gathered_pairs, config, meta=_whole_pairs_meta(pd), enforce_metadata=False)
