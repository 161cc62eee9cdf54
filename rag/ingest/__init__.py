"""Ingest: files on disk → documents → cleaned text with an offset map → chunks → the store."""
