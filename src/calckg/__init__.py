"""CalcKG: the radiological differential diagnosis of joint and soft-tissue calcification as a
provenance-tracked knowledge graph and OWL 2 ontology."""

__version__ = "0.1.0"

from .kg import KnowledgeGraph, UnknownTermError  # noqa: E402

__all__ = ["KnowledgeGraph", "UnknownTermError", "__version__"]
