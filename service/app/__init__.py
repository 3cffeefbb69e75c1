"""FastAPI routing service for lapor-nlp: ``create_app(settings)`` builds the application."""
