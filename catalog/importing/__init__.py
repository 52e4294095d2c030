"""Bulk import and export of the catalog: readers per format, safety checks, the upsert service."""
