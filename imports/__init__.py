"""Excel and CSV imports for every module: upload → check (preview) → confirm.

A module plugs in with a resource class per sheet (django-import-export
`ModelResource` subclasses of `imports.resources.ArchiveResource`)
and one `ImportModule` subclass, registered with `imports.modules.registry` by its app's `resources` module.

- `files`: reads .xlsx/.csv safely (size caps before parsing, macros and
  external links refused, hidden sheets skipped, merged cells filled).
- `engine`: matches headers, cleans every cell, checks every row, and applies
  all rows in one transaction with bulk writes.
- `tasks`: the check and the apply run in the background worker
  (`manage.py db_worker`), the run's page shows the rows processed.
"""
