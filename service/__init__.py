"""The lapor-nlp routing service (FastAPI). The application lives in :mod:`service.app`."""
