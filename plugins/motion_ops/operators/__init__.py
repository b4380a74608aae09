"""The Airflow edge of motion-ops: the operators the DAGs wire (``enrichment``, ``summaries``,
``pilots``, over ``base``) and the Assets they update (``assets``). Everything else in the
package is plain Python the operators call."""
