"""Running the assistant in production: metrics, structured logs, health checks, the cluster.

Plain Python, importable from the Rasa process, the action server and the connector. Nothing
here imports ``actions``, ``catalog`` or ``connectors``: they call into ``ops``, not the reverse.
"""
