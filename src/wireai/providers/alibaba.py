"""Alibaba Cloud Model Studio (DashScope), compatible mode: `https://dashscope-intl.aliyuncs.com/compatible-mode/v1`.

The key is `ALIBABA_API_KEY`, or `DASHSCOPE_API_KEY` as Alibaba's own docs name it. Mainland China
accounts pass `base_url='https://dashscope.aliyuncs.com/compatible-mode/v1'`.
"""

from __future__ import annotations

from typing import ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["AlibabaProvider"]


class AlibabaProvider(OpenAICompatibleProvider):
    name = "alibaba"
    default_base_url: ClassVar[str] = "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("ALIBABA_API_KEY", "DASHSCOPE_API_KEY")
