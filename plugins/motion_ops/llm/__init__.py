"""The summaries' LLM layer, without Airflow: the output schema and prompt, the deterministic
faithfulness check, the extractive summarizer (the embedded default), the backends a connection
describes with the router that picks a chain per motion, and the cascade over pydantic-ai."""
