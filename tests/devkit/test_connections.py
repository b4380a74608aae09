from devkit.connections import with_port
from devkit.env import embedded_connections


def test_every_connection_make_airflow_defines_gets_the_port_the_ui_test_button_posts():
    defined = {k: with_port(v) for k, v in embedded_connections(pg_socket_dir="/data/pg", feed_url="http://127.0.0.1:8765").items()}
    assert defined["motion_db"]["port"] == 5432  # the socket .s.PGSQL.5432
    assert defined["motion_feed"]["port"] == 8765
    assert defined["motion_embeddings"]["port"] == 0  # no host: the UI posts Number(null) = 0


def test_a_url_host_without_a_port_gets_its_schemes_default_and_a_port_given_is_kept():
    assert with_port({"conn_type": "pydanticai", "host": "https://api.openai.com/v1"})["port"] == 443
    assert with_port({"conn_type": "motion_embeddings", "host": "http://ollama"})["port"] == 80
    assert with_port({"conn_type": "postgres", "host": "db", "port": 6432})["port"] == 6432
    assert with_port({"conn_type": "motion_feed", "host": "feed.example"})["port"] == 0
