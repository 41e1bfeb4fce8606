"""Framework content as data: ISO/IEC 42001 clauses, Annex A controls and Annex C lists."""
