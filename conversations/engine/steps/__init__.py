"""The steps of one turn: plain functions over the turn being built (``turn_builder.Turn``).

One module per funnel step or concern; ``policy.decide`` runs them in order. A module imports
only the steps it hands the turn over to, so the imports form no cycle:

- ``need``, ``choice``, ``lead``, ``global_intents``: no other step;
- ``money`` (need), ``financing`` (lead);
- ``advance`` (need, choice, financing, lead);
- ``side`` (advance, financing), ``fallback`` (advance, global_intents);
- ``intents`` (advance, choice, financing, global_intents, lead, need).
"""
