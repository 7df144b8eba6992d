"""The HTTP API (Flask application factory) over the resolver library."""
