import numpy as np
import pytest

from motion_ops.numerics.fusion import fuse, l2_normalise


def test_fusion_score_is_the_weighted_sum_of_text_and_vote_cosines():
    rng = np.random.default_rng(2)
    t = l2_normalise(rng.standard_normal((3, 6)).astype(np.float32))
    v = np.array([[1, -1, 1, 0], [1, 1, -1, 0], [0, 0, 0, 0]], dtype=np.float32)
    w = 0.25
    f = fuse(t, v, w)
    assert np.allclose(np.linalg.norm(f, axis=1), 1.0, atol=1e-6)
    cos_v = (v[0] / np.linalg.norm(v[0])) @ (v[1] / np.linalg.norm(v[1]))
    assert f[0] @ f[1] == pytest.approx((1 - w) * (t[0] @ t[1]) + w * cos_v, abs=1e-6)
    assert f[0] @ f[2] == pytest.approx(np.sqrt(1 - w) * (t[0] @ t[2]), abs=1e-6)  # no votes: text only
    assert np.allclose(fuse(t, v, 0.0), t)
