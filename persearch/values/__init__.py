"""Typed values of record fields: dates (Jalali first), numbers and keywords, and filters on them.

Modules by role: dates (a date or range as written → one comparable number,
and back to Jalali or Gregorian text) ← docdate (the date of an HTML page or
a plain-text document) ← fields (keyword / number / date: reading a value,
inferring a field's type from its values, ``--field`` declarations) ←
filters (``--filter`` options and ``date:…`` clauses inside a query → typed
filter objects) and facets (``--sort`` and ``--facet``); records types the
fields of a batch of records against what an index has recorded. Nothing
here imports an engine, typer or rich; jdatetime is imported on the first
Jalali conversion.

    >>> from persearch.values import parse_date, format_jalali
    >>> span = parse_date("پنجشنبه ۱۲ مرداد ۱۴۰۲")
    >>> span.isoformat(), format_jalali(span.start, digits="persian")
    ('2023-08-03', '۱۴۰۲/۰۵/۱۲')
"""
from __future__ import annotations

from typing import Any

#: Public name → the module that defines it (loaded on first use, so that
#: importing one of them does not compile every grammar).
_LAZY = {
    **dict.fromkeys(("DateSpan", "parse_date", "parse_date_range", "key_from_date", "format_jalali",
                     "format_gregorian", "date_to_json"), "dates"),
    **dict.fromkeys(("document_date", "html_date", "text_date"), "docdate"),
    **dict.fromkeys(("KEYWORD", "NUMBER", "DATE", "FIELD_TYPES", "FieldTypes", "infer_types", "keyword_term",
                     "parse_number", "parse_value", "parse_field_declarations", "Problem"), "fields"),
    **dict.fromkeys(("Filter", "Range", "parse_filter", "parse_filters", "extract_query_filters", "equality_filter"),
                    "filters"),
    **dict.fromkeys(("FieldSpec", "TypedBatch", "type_records", "merge_specs"), "records"),
    **dict.fromkeys(("Sort", "Facet", "parse_sort", "parse_facets", "display_counts"), "facets"),
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'persearch.values' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)
