"""Django apps: thin shells around the pure engines. Every app has the same shape:
models.py, admin.py, services.py (calls engines); an app with pages or an API also has views.py,
api.py, urls.py and templates/<app>/."""
