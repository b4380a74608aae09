-- The model's dimension in the store (fixed by its first stored vector).
SELECT dims FROM embedding_models WHERE model = %(model)s
