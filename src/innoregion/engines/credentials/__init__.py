"""The New Area talent code (人才码): signed credentials, device-signed presentations, offline checks.

Pure Python (``cryptography``, ``segno``, ``zxing-cpp``); no Django. See docs/talent-code.md.
"""

from innoregion.engines.credentials.algorithms import ED25519, Algorithm, Signer, register
from innoregion.engines.credentials.catalogue import (
    Catalogue,
    CatalogueError,
    Placement,
    load_catalogue,
    place_in_tier,
    shipped_catalogues,
)
from innoregion.engines.credentials.encoding import Credential, FormatError, Presentation
from innoregion.engines.credentials.issuer import Holder, issue_credential, new_subject_id
from innoregion.engines.credentials.keyring import KeyRing, TrustedKey, load_private_key, save_private_key
from innoregion.engines.credentials.statuslist import (
    REVOKED,
    SUSPENDED,
    VALID,
    StatusList,
    StatusListError,
    parse_status_list,
    sign_status_list,
)
from innoregion.engines.credentials.verifier import Check, NonceCache, VerificationResult, Verifier

__all__ = [
    "ED25519", "Algorithm", "Signer", "register",
    "Catalogue", "CatalogueError", "Placement", "load_catalogue", "place_in_tier", "shipped_catalogues",
    "Credential", "FormatError", "Presentation",
    "Holder", "issue_credential", "new_subject_id",
    "KeyRing", "TrustedKey", "load_private_key", "save_private_key",
    "REVOKED", "SUSPENDED", "VALID", "StatusList", "StatusListError", "parse_status_list", "sign_status_list",
    "Check", "NonceCache", "VerificationResult", "Verifier",
]
