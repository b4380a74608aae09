"""Benchmark of the exact top-N computation against FAISS ``IndexFlatIP`` and the GEMM rate.

For N = 20,000 and 100,000 random unit vectors (d = 384), in one run: our blocked computation,
FAISS flat inner-product search on the same data, and numpy's float32 GEMM rate; neighbour-list
agreement with FAISS (up to exact ties); seconds, effective GFLOP/s (2*N*N*d / time), the ratio
to FAISS, the fraction of the GEMM rate and peak memory. Then an incremental update for 1 %
changed motions against the full time, and the time to write the neighbour rows with binary COPY.
Then the relatedness score (pair terms, vote and submitter columns) and what its score
components cost: computing them for the top-K lists and writing their columns, against the full
computation. Targets at N = 100,000: ratio to FAISS >= 1.5, >= 50 % of the GEMM rate, incremental
<= 5 % of full, writing the rows in under a quarter of the compute time, components <= 15 %.
FAISS (faiss-cpu, requirements-bench.txt) is required, except by a smoke run (``--smoke``: N = 2,000),
which without it checks agreement against a plain numpy top-K instead and says FAISS was absent.
Usage: python bench/similarity.py [N ...] [--smoke]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
from _common import fresh_store, parse_args

from motion_ops.numerics.relatedness import l2_normalise
from motion_ops.numerics.topk import top_k_neighbours

D, K = 384, 10


def gemm_rate(n: int = 4096) -> float:
    a = np.random.default_rng(0).standard_normal((n, D * 4)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((D * 4, n)).astype(np.float32)
    a @ b
    t = time.perf_counter()
    for _ in range(3):
        a @ b
    return 3 * 2 * n * n * D * 4 / (time.perf_counter() - t) / 1e9


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def agreement(ours_idx, ours_val, f_idx, f_val) -> float:
    """Share of rows whose neighbour sets agree, allowing differences only among exactly tied scores."""
    same = 0
    for i in range(len(ours_idx)):
        if np.array_equal(ours_idx[i], f_idx[i]):
            same += 1
            continue
        a, b = set(ours_idx[i]), set(f_idx[i])
        diff_scores = np.concatenate([ours_val[i][[j for j, x in enumerate(ours_idx[i]) if x not in b]],
                                      f_val[i][[j for j, x in enumerate(f_idx[i]) if x not in a]]])
        same += bool(len(diff_scores) == 0 or np.allclose(diff_scores, ours_val[i][-1], atol=1e-5))
    return same / len(ours_idx)


def faiss_module():
    """faiss, or None when it is not installed."""
    try:
        import faiss
    except ImportError:
        return None
    return faiss


def numpy_top_k(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-``k`` other vectors by inner product with a full N x N matrix (small N only)."""
    scores = x @ x.T
    np.fill_diagonal(scores, -np.inf)
    idx = np.argpartition(-scores, k, axis=1)[:, :k]
    val = np.take_along_axis(scores, idx, axis=1)
    order = np.argsort(-val, axis=1, kind="stable")
    return np.take_along_axis(idx, order, axis=1), np.take_along_axis(val, order, axis=1)


def run(n: int, gemm: float) -> None:
    faiss = faiss_module()
    x = l2_normalise(np.random.default_rng(n).standard_normal((n, D)).astype(np.float32))
    flops = 2.0 * n * n * D
    t = time.perf_counter()
    idx, val = top_k_neighbours(x, K, block=2048)
    ours = time.perf_counter() - t
    if faiss is not None:
        index = faiss.IndexFlatIP(D)
        index.add(x)
        t = time.perf_counter()
        f_val, f_idx = index.search(x, K + 1)
        faiss_t = time.perf_counter() - t
        f_idx, f_val = f_idx[:, 1:], f_val[:, 1:]  # FAISS returns each vector itself first
        reference = (f"FAISS flat {faiss_t:7.2f}s ({flops / faiss_t / 1e9:6.1f} GFLOP/s)  "
                     f"ratio to FAISS {faiss_t / ours:4.2f}")
    else:  # a smoke run only (main refuses a full run without FAISS)
        f_idx, f_val = numpy_top_k(x, K)
        reference = "FAISS absent: not compared (agreement: with a plain numpy top-K)"
    agree = agreement(idx, val, f_idx, f_val)
    print(f"N={n:>7,}: ours {ours:7.2f}s ({flops / ours / 1e9:6.1f} GFLOP/s)  {reference}  "
          f"GEMM fraction {flops / ours / 1e9 / gemm:4.2f}  agreement {agree:.4f}  peak {peak_mib():,.0f} MiB")
    done = 2.0 * n * (n + 2048) / 2 * D  # each pair once (the matrix is symmetric), diagonal panels in full
    print(f"          (effective rates count all N*N products; ours computes each pair once: "
          f"{done / ours / 1e9:.1f} GFLOP/s actually performed = {done / ours / 1e9 / gemm:.2f} of the GEMM rate)")

    # incremental: what compute_similarity does nightly. A full run keeps top-K plus K spares and
    # per-row floors; then 1 % of the motions change and only what can change is recomputed.
    from motion_ops.numerics.incremental import floors_of, incremental_update

    width = 2 * K
    t = time.perf_counter()
    w_idx, w_val = top_k_neighbours(x, width, block=2048)
    full_w = time.perf_counter() - t
    changed = np.random.default_rng(1).choice(n, n // 100, replace=False)
    x2 = x.copy()
    x2[changed] = l2_normalise(np.random.default_rng(2).standard_normal((len(changed), D)).astype(np.float32))
    t = time.perf_counter()
    inc_idx, inc_val, _ = incremental_update(x2, w_idx, w_val, floors_of(w_val, n), changed, width, K, block=2048)
    inc = time.perf_counter() - t
    t = time.perf_counter()
    full_idx, _ = top_k_neighbours(x2, width, block=2048)
    full2 = time.perf_counter() - t
    print(f"          full run as stored (top {K} + {K} spares) {full_w:.2f}s; incremental (1 % changed) {inc:6.2f}s = "
          f"{inc / full2:5.1%} of a full recompute ({full2:.2f}s); top {K} identical to full: "
          f"{np.array_equal(inc_idx[:, :K], full_idx[:, :K])}")

    from motion_ops.store.pgcopy import neighbours_copy_payload

    store = fresh_store()
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(n)]
    store.conn.execute("INSERT INTO similarity_versions (version, model) VALUES (1, 'bench')")
    store.conn.commit()
    t = time.perf_counter()
    with store.transaction() as cur, cur.copy("COPY motion_neighbours (version, motion_id, rank, neighbour_id, score) "
                                              "FROM STDIN (FORMAT BINARY)") as cp:
        cp.write(neighbours_copy_payload(1, ids, idx, val))
    write = time.perf_counter() - t
    rows = store.conn.execute("SELECT count(*) FROM motion_neighbours").fetchone()[0]
    store.close()
    print(f"          wrote {rows:,} neighbour rows in {write:.2f}s = {write / ours:.2f} of the compute time")


def components_cost(n: int) -> None:
    """The relatedness score at N: the full computation with its pair terms (same dossier, same
    debate, hidden earlier versions) and vote/submitter columns, then the score components of the
    top-K lists and the extra bytes of writing them: their cost against the full computation."""
    from motion_ops.numerics.exclusions import Exclusions
    from motion_ops.numerics.relatedness import Features, PairTerms, Weights, components, fused_vectors
    from motion_ops.store.pgcopy import neighbours_copy_payload

    rng = np.random.default_rng(n + 1)
    votes = rng.choice(np.array([-1, 0, 1], np.int8), size=(n, 15), p=[0.45, 0.1, 0.45])
    votes[rng.random(n) < 0.15] = 0  # motions without votes
    f = Features(text=l2_normalise(rng.standard_normal((n, D)).astype(np.float32)), votes=votes,
                 dossier=rng.integers(0, max(1, n // 30), n).astype(np.int32),
                 debate=rng.integers(0, max(1, n // 15), n).astype(np.int32),
                 submitters=[np.unique(rng.integers(0, 300, rng.integers(1, 4))) for _ in range(n)],
                 hidden=rng.random(n) < 0.05)
    w = Weights()
    t = time.perf_counter()
    x = fused_vectors(f, w)
    terms = PairTerms(Exclusions(), f, w)
    idx, val = top_k_neighbours(x, 2 * K, block=2048, exclusions=terms)
    full = time.perf_counter() - t
    t = time.perf_counter()
    comp = components(f, idx[:, :K])
    t_comp = time.perf_counter() - t
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(n)]
    store = fresh_store()
    store.conn.execute("INSERT INTO similarity_versions (version, model) VALUES (1, 'bench'), (2, 'bench')")
    store.conn.commit()
    timings = {}
    for version, with_comp in ((1, False), (2, True)):
        cols = ("version, motion_id, rank, neighbour_id, score" +
                (", text_score, vote_same, vote_common, vote_correlation, shared_submitters, same_dossier, same_debate"
                 if with_comp else ""))
        t = time.perf_counter()
        with store.transaction() as cur, cur.copy(f"COPY motion_neighbours ({cols}) FROM STDIN (FORMAT BINARY)") as cp:
            cp.write(neighbours_copy_payload(version, ids, idx[:, :K], val[:, :K], components=comp if with_comp else None))
        timings[with_comp] = time.perf_counter() - t
    store.close()
    extra = t_comp + max(0.0, timings[True] - timings[False])
    print(f"          relatedness score at N={n:,}: full computation with pair terms and vote/submitter columns "
          f"{full:.2f}s (d = {x.shape[1]}); components of the top {K} {t_comp:.2f}s, writing them "
          f"{timings[True] - timings[False]:+.2f}s ({timings[False]:.2f}s without, {timings[True]:.2f}s with) "
          f"= {extra / full:.1%} of the full computation (target <= 15 %)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", type=int, nargs="*", default=[20_000, 100_000], metavar="N")
    ap.add_argument("--gemm-size", type=int, default=4096, help="the square GEMM that measures numpy's rate")
    args = parse_args(ap, smoke={"sizes": [2_000], "gemm_size": 1024})
    if faiss_module() is None and not args.smoke:
        sys.exit("bench/similarity.py: faiss is not installed; its reference needs it: "
                 "pip install -r requirements-bench.txt -c constraints.txt (or --smoke to run without it)")
    sizes = args.sizes
    gemm = gemm_rate(args.gemm_size)
    print(f"numpy float32 GEMM: {gemm:.1f} GFLOP/s; d = {D}, top {K}")
    for n in sizes:
        run(n, gemm)
        components_cost(n)


if __name__ == "__main__":
    main()
