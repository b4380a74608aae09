-- The first stored vector of a model fixes its dimension (a concurrent first writer wins; see select_model_dims).
INSERT INTO embedding_models (model, dims) VALUES (%(model)s, %(dims)s) ON CONFLICT (model) DO NOTHING
