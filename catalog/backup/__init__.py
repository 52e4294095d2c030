"""Backup and restore of the whole catalog as one self-describing zip (docs/operations.md).

Members of the archive:
  manifest.json                 format, format_version, created_at, source, counts, and per
                                member its size, line count and sha256
  lists/<list>.jsonl            levels, fields, subject types, life events, results, legal
                                documents, public holidays: Django's {model, pk, fields} records
  department_index.jsonl        the department index page (title, slug, intro)
  departments.jsonl             departments: page fields, code, kind, contacts, parent
                                department (by code), collection name; in tree order
  documents.jsonl, files/...    the form files (and every document in a department's
                                collection): title, stored name, sha256, the file itself
  form_templates.jsonl          form templates ({model, pk, fields}), file by document id
  procedures.jsonl              every procedure's page row (its live content), lists by code
                                and name, steps, methods with fees, cases with documents
                                (form by code), whether a newer draft was left out
  events.jsonl                  the catalog events: public change history and change feed
"""
