"""The motion store: connections, migrations and named queries, the page writer, binary COPY, the audit trail."""
