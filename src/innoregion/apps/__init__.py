"""Django apps: thin shells around the pure engines. Every app has the same shape:
models.py, admin.py, services.py (calls engines), views.py, api.py, urls.py, templates/<app>/."""
