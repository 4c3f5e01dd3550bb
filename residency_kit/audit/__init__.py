"""Detective control: run the same policy packs over exported state (``pulumi stack export``).

``export`` reads and validates the file, ``analyze`` turns it into the engine's stack and drives the packs
(inputs to ``Analyze``, outputs to ``AnalyzeStack``), ``run`` ties both together for the command.
"""
