"""The profile store: domain model, database, migrations, import and export.

Knows nothing about the web: the Flask app (``webapp/db.py``) calls into it.
"""
