from motion_ops.numerics.tokens import CHARS_PER_TOKEN, token_estimate


def test_a_text_is_estimated_at_four_characters_a_token_rounded_up():
    assert CHARS_PER_TOKEN == 4  # the README's "4 characters a token"
    assert [token_estimate(n) for n in (0, 1, 4, 5, 8, 8001)] == [0, 1, 1, 2, 2, 2001]


def test_the_embedding_budget_and_the_summaries_router_share_the_one_estimate():
    from motion_ops import embeddings
    from motion_ops.llm import backends

    assert embeddings.token_estimate is token_estimate and backends.token_estimate is token_estimate
    assert not hasattr(embeddings, "CHARS_PER_TOKEN") and not hasattr(backends, "CHARS_PER_TOKEN")
