"""API keys (CONTRACT §1.2, §4.12).

``POST /api_keys`` registers a caller-supplied RSA or Ed25519 public key (PEM);
``POST /api_keys/generate`` makes the exchange mint a key pair and return the private key
once. Both answer **201**; ``DELETE /api_keys/{id}`` answers 204 without a body.
``scopes`` take exactly the ``ApiKeyScope`` values; an unknown scope fails decoding.
"""

from augury.api.schemas.base import WireRequest, WireResponse
from augury.api.schemas.enums import ApiKeyScope, ApiKeyType

__all__ = [
    "ApiKey",
    "CreateApiKeyRequest",
    "CreateApiKeyResponse",
    "GenerateApiKeyRequest",
    "GenerateApiKeyResponse",
    "GetApiKeysResponse",
]


# Requests ------------------------------------------------------------------------------


class CreateApiKeyRequest(WireRequest, kw_only=True):
    name: str
    public_key: str
    scopes: list[ApiKeyScope] | None = None
    subaccount: int | None = None
    fcm_subtrader_id: str | None = None


class GenerateApiKeyRequest(WireRequest, kw_only=True):
    name: str
    key_type: ApiKeyType | None = None
    scopes: list[ApiKeyScope] | None = None
    subaccount: int | None = None
    fcm_subtrader_id: str | None = None


# Responses -----------------------------------------------------------------------------


class ApiKey(WireResponse, kw_only=True):
    api_key_id: str
    name: str
    scopes: list[ApiKeyScope]
    subaccount: int | None = None
    fcm_subtrader_id: str | None = None


class GetApiKeysResponse(WireResponse, kw_only=True):
    api_keys: list[ApiKey]
    api_key_region_expiration_ts: int | None = None


class CreateApiKeyResponse(WireResponse, kw_only=True):
    api_key_id: str
    warning: str | None = None


class GenerateApiKeyResponse(WireResponse, kw_only=True):
    api_key_id: str
    key_type: ApiKeyType | None = None
    private_key: str
    warning: str | None = None
