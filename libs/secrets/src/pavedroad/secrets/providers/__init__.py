"""Secret providers, one per backend. Backend libraries are imported only when used."""

from pavedroad.secrets.providers.base import (
    FetchedSecret,
    Lease,
    Provider,
    SecretMetadata,
    select_key,
)
from pavedroad.secrets.providers.env import EnvProvider
from pavedroad.secrets.providers.file import FileProvider

__all__ = [
    "EnvProvider",
    "FetchedSecret",
    "FileProvider",
    "Lease",
    "Provider",
    "SecretMetadata",
    "select_key",
]
