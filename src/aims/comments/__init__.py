"""Comments on records and catalogue entries: how auditors take part without editing."""
