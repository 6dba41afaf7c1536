"""The base of the public models (model_public, config_public, model_notices): pydantic's
BaseModel with the records' metaclass beside pydantic's, so that a public model can
subclass its plain record (``_record`` says why)."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic._internal._model_construction import ModelMetaclass

from ._record import RecordType


class _Public(ModelMetaclass, RecordType):
    """pydantic's metaclass with the records': a public model is built as pydantic builds it."""


class PublicModel(BaseModel, metaclass=_Public):
    """The base of the public models."""
