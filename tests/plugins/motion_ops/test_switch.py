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


def test_compute_similarity_is_held_while_a_pending_paid_model_or_a_switch_does_not_cover_the_corpus(store, motions):
    from motion_ops import switch
    from motion_ops.clients.embedder import Embedder
    from motion_ops.clients.hashing import HashingProvider
    from motion_ops.embeddings import embed_ids
    from motion_ops.publish import publish
    from motion_ops.similarity import compute_version

    old, new = Embedder([HashingProvider(64)]), Embedder([HashingProvider(128)])
    assert switch.held(store, new.model, min_coverage=0.95, pending=None) is None  # nothing published: compute
    none = switch.held(store, new.model, min_coverage=0.0, pending="waits")  # no vector at all: never computed
    assert none.skip == none.line == (f"nothing to compute: 0 of 40 motions have a vector of {new.model}, which waits "
                                      "for a decision; readers keep the published version") and none.items == 0
    embed_ids(store, old, motions, group_size=64)
    publish(store, compute_version(store, model=old.model, top_n=5)["version"])
    embed_ids(store, new, motions[:10], group_size=64)
    assert switch.held(store, new.model, min_coverage=0.95, pending="waits").skip.startswith("nothing to compute: 10 of 40")
    switching = switch.held(store, new.model, min_coverage=0.95, pending=None)  # approved: a green night of a switch
    assert switching.skip == switching.line and switching.line.startswith("model switch: 25%") and switching.items == 10
    embed_ids(store, new, motions, group_size=64)
    assert switch.held(store, new.model, min_coverage=0.95, pending="waits") is None  # covered: computed


def test_the_similarity_step_skips_a_windowed_run_and_else_computes_an_unpublished_version(store, motions):
    from motion_ops.clients.embedder import Embedder
    from motion_ops.clients.hashing import HashingProvider
    from motion_ops.clients.providers import ProviderConfig
    from motion_ops.embeddings import embed_ids
    from motion_ops.params import ENRICHMENT, defaults
    from motion_ops.run import RunParams
    from motion_ops.similarity import similarity_step

    config = ProviderConfig(kind="hashing")
    embed_ids(store, Embedder.from_config(config), motions, group_size=64)
    params = RunParams.from_mapping({**defaults(ENRICHMENT), "top_n": 5})[0]
    windowed = similarity_step(store, config, params=params, windowed=True, manual=False, run_id="r1")
    assert windowed.skip == "windowed run: similarity is computed and published by the next full run"
    out = similarity_step(store, config, params=params, windowed=False, manual=False, run_id="r1")
    assert out.skip is None and out.xcom()["version"] and out.items == out.xcom()["rows"] == 40 * 5
    assert out.line.startswith(f"version {out.xcom()['version']} computed (full): 40 motions, 200 related-motion rows with "
                               f"{Embedder([HashingProvider()]).model}; not published until QA passes")
    assert store.fetch_one("select_current_version") is None  # not published until QA passes
