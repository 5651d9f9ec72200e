"""The parts of ``understanding.understand``: one module per kind of thing a message states.

``understanding`` assembles the :class:`~conversations.engine.understanding.Reading`; these
modules hold the cue patterns and the readers of money, the need, the options shown, questions
about the cars shown, and contact data (``text``: the helpers they share).
"""
