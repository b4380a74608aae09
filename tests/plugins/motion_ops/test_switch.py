"""The blue/green model switch of the embeddings: progress, and pruning the way back."""
import pytest


def test_a_switch_in_progress_is_reported_and_pruning_refuses_to_take_the_readers_model(store, motions):
    from motion_ops import switch
    from motion_ops.clients.embedder import Embedder
    from motion_ops.clients.hashing import HashingProvider
    from motion_ops.embeddings import embed_ids
    from motion_ops.publish import publish
    from motion_ops.similarity import compute_version

    old, new = Embedder([HashingProvider(64)]), Embedder([HashingProvider(128)])
    embed_ids(store, old, motions, group_size=64)
    publish(store, compute_version(store, model=old.model, top_n=5)["version"])
    assert switch.progress(store, old.model, min_coverage=0.95) is None
    embed_ids(store, new, motions[:10], group_size=64)
    s = switch.progress(store, new.model, min_coverage=0.95)
    assert s["embedded"] == 10 and s["with_text"] == 40 and s["line"].startswith("model switch: 25% embedded")
    with pytest.raises(ValueError, match="finish the switch"):
        switch.prune(store, new.model)
    embed_ids(store, new, motions, group_size=64)
    assert switch.progress(store, new.model, min_coverage=0.95) is None  # complete: computed and published as usual
    assert switch.prune(store, old.model) == {new.model: 40}
