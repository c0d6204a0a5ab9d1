"""The REST API under /api/: explicit input and output serializers, one view per operation."""
