"""Technical documentation (A.6.2.7, EU AI Act Annex IV) and event-log records (A.6.2.8).

The records follow the EU AI Act's Art. 12 (logs), 19 and 26(6) (how long they are kept)."""
