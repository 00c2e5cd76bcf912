"""Input formats → documents: one module per format (text and JSONL, HTML pages, WARC files, feeds,
tables). The optional packages a format needs are imported when a file of that format is read, so the
base install stays lean (:mod:`syndidetect.readers.optional`)."""
