"""The Airflow edge of motion-ops: the operators the DAGs wire (``enrichment``, ``summaries``,
``pilots``, ``exports``, ``alerts``, over ``base``), the DAGs' ``params`` (``params``) and the
Assets they update (``assets``). Everything else in the package is plain Python the operators call."""
