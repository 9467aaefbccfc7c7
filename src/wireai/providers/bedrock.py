"""Where Bedrock Runtime lives (`bedrock-runtime.{region}.amazonaws.com`) and how we prove who we are.

Auth, first match wins:
1. `api_key=` — a Bedrock API key, sent as a bearer token (no botocore needed);
2. `aws_access_key_id=`/`aws_secret_access_key=` (+ `aws_session_token=`) — SigV4 with these keys;
3. `bedrock_client=` — a boto3/botocore `bedrock-runtime` client: its region, endpoint and credentials
   (refreshing ones included) are reused, and it is never called (boto3 is not imported either);
4. `AWS_BEARER_TOKEN_BEDROCK` — a Bedrock API key from the environment;
5. botocore's credential chain (env keys, `profile_name`/`AWS_PROFILE`, SSO, web identity,
   container and instance roles), resolved at the first request and refreshed before expiry.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import httpx

from ..exceptions import UserError
from ..profiles import ModelProfile
from ..transport.sigv4 import BearerAuth, SigV4Auth, import_botocore, session_credentials
from . import Provider

__all__ = ["AwsIdentity", "AwsProvider", "BedrockProvider"]


class AwsIdentity:
    """Who we are to an AWS service and in which region, chosen as the module docstring says: the
    `httpx.Auth` (a Bedrock API key as a bearer token, or SigV4 for `service`) and the region, which
    botocore's config is asked for only when it is needed and not given."""

    def __init__(
        self,
        service: str,
        provider: str,
        *,
        credentials: Any = None,
        region_name: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        api_key: str | None = None,
    ):
        if (aws_access_key_id is None) != (aws_secret_access_key is None):
            raise UserError("Pass both `aws_access_key_id` and `aws_secret_access_key`, or neither")
        self.provider = provider
        self.profile_name = profile_name
        self.region_name = region_name or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        env_token = os.environ.get("AWS_BEARER_TOKEN_BEDROCK")
        self.auth: httpx.Auth
        if api_key:
            self.auth = BearerAuth(api_key)
        elif aws_access_key_id is not None:
            botocore = import_botocore()
            creds = botocore.credentials.Credentials(
                aws_access_key_id, aws_secret_access_key, aws_session_token
            )
            self.auth = SigV4Auth(creds, self.require_region(), service)
        elif credentials is not None:
            self.auth = SigV4Auth(credentials, self.require_region(), service)
        elif env_token:
            self.auth = BearerAuth(env_token)
        else:
            import_botocore()
            self.auth = SigV4Auth(lambda: session_credentials(profile_name), self.require_region(), service)

    def require_region(self) -> str:
        """The region, once needed: the argument or `AWS_REGION`/`AWS_DEFAULT_REGION`, else the profile's."""
        if not self.region_name:
            # Only now botocore is consulted, so a bearer key with `base_url` never imports it.
            session = import_botocore().session.Session(profile=self.profile_name)
            value = session.get_config_variable("region")
            self.region_name = str(value) if value else None
        if not self.region_name:
            raise UserError(
                f"No AWS region for {self.provider}: pass `region_name=`, set `AWS_REGION` "
                "(or `AWS_DEFAULT_REGION`), or set `region` in your AWS profile"
                + (f" {self.profile_name!r}" if self.profile_name else "")
            )
        return self.region_name


class AwsProvider(Provider):
    """A provider on an AWS endpoint that signs for `signing_name`: its region and auth from
    `AwsIdentity`, its base URL `base_url=` (or the `base_url_env` variable), else the region's
    (`regional_base_url`). `bearer_env` names variables read as a Bedrock API key besides
    `AWS_BEARER_TOKEN_BEDROCK`, unless AWS keys are given."""

    signing_name: ClassVar[str] = "bedrock"
    base_url_env: ClassVar[str | None] = None
    bearer_env: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *,
        region_name: str | None = None,
        api_key: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int | None = None,
    ):
        self._configure(
            region_name=region_name,
            api_key=api_key,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
            base_url=base_url,
            http_client=http_client,
            max_retries=max_retries,
        )

    def _configure(
        self,
        *,
        region_name: str | None,
        api_key: str | None,
        aws_access_key_id: str | None,
        aws_secret_access_key: str | None,
        aws_session_token: str | None,
        profile_name: str | None,
        base_url: str | None,
        http_client: httpx.AsyncClient | None,
        max_retries: int | None,
        credentials: Any = None,
    ) -> None:
        self._http_client = http_client
        if max_retries is not None:
            self.max_retries = max_retries
        if not api_key and aws_access_key_id is None:
            api_key = next((os.environ[v] for v in self.bearer_env if os.environ.get(v)), None)
        self._identity = AwsIdentity(
            self.signing_name,
            type(self).__name__,
            credentials=credentials,
            region_name=region_name,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
            api_key=api_key,
        )
        base_url = base_url or (os.environ.get(self.base_url_env) if self.base_url_env else None)
        self.base_url = (
            base_url.rstrip("/") if base_url else self.regional_base_url(self._identity.require_region())
        )

    def regional_base_url(self, region: str) -> str:
        """The endpoint's base URL in `region`."""
        raise NotImplementedError

    @property
    def region_name(self) -> str | None:
        return self._identity.region_name

    @property
    def auth(self) -> httpx.Auth:
        return self._identity.auth

    def __repr__(self) -> str:  # never shows keys
        return f"{type(self).__name__}(region_name={self.region_name!r}, base_url={self.base_url!r}, auth={self.auth!r})"


class BedrockProvider(AwsProvider):
    """AWS Bedrock Runtime in one region (or at `base_url=`, e.g. a VPC endpoint or a proxy)."""

    name = "bedrock"

    def __init__(
        self,
        *,
        bedrock_client: Any = None,
        region_name: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int | None = None,
    ):
        client_endpoint: str | None = None
        credentials: Any = None
        if bedrock_client is not None:
            meta = getattr(bedrock_client, "meta", None)
            region_name = region_name or getattr(meta, "region_name", None)
            client_endpoint = getattr(meta, "endpoint_url", None)
            signer = getattr(bedrock_client, "_request_signer", None)
            credentials = getattr(signer, "_credentials", None)
        self._configure(
            region_name=region_name,
            api_key=api_key,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
            base_url=base_url or (str(client_endpoint) if client_endpoint else None),
            http_client=http_client,
            max_retries=max_retries,
            credentials=credentials,
        )

    def regional_base_url(self, region: str) -> str:
        return f"https://bedrock-runtime.{region}.amazonaws.com"

    def model_profile(self, model_name: str) -> ModelProfile | None:
        from ..models.bedrock import bedrock_model_profile

        return bedrock_model_profile(model_name)
