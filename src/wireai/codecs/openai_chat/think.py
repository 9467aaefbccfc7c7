"""`<think>...</think>` reasoning inline in content (Groq `reasoning_format: raw`, Qwen, DeepSeek-R1 on
many hosts): one splitter for streams and JSON bodies, so both give the same parts."""

from __future__ import annotations

from ...messages import ModelResponsePart, TextPart, ThinkingPart

__all__ = ["ThinkTagSplitter", "split_think_tags"]


def split_think_tags(content: str) -> list[ModelResponsePart]:
    """A whole message's content as text and thinking parts, exactly as the stream splits it."""
    splitter = ThinkTagSplitter()
    parts: dict[int, TextPart | ThinkingPart] = {}
    for is_thought, piece, number in (*splitter.feed(content), *splitter.flush()):
        part = parts.get(number)
        if part is None:
            parts[number] = ThinkingPart(piece) if is_thought else TextPart(piece)
        else:
            part.content += piece
    return list(parts.values())


class ThinkTagSplitter:
    """Splits streamed content on `<think>`/`</think>`, holding back a tag cut between chunks.

    Newlines right after a tag, and a thought's newlines right before `</think>`, are layout, not
    content: held back until it is known which they are, so a stream gives the parts the JSON
    body gives (`split_think_tags`)."""

    def __init__(self) -> None:
        self.inside = False
        self.buffer = ""
        self.part = 0  # the number of the part being written: every tag starts the next one
        self.strip = False

    def feed(self, text: str) -> list[tuple[bool, str, int]]:
        """(is a thought, the piece, the number of the part it belongs to) for each piece complete."""
        self.buffer += text
        out: list[tuple[bool, str, int]] = []
        while True:
            if self.strip:  # newlines right after a tag are layout, not content
                self.buffer = self.buffer.lstrip("\n")
                if not self.buffer:
                    return out
                self.strip = False
            tag = "</think>" if self.inside else "<think>"
            at = self.buffer.find(tag)
            if at >= 0:
                piece = self.buffer[:at].rstrip("\n") if self.inside else self.buffer[:at]
                if piece:
                    out.append((self.inside, piece, self.part))
                self.buffer = self.buffer[at + len(tag) :]
                self.part += 1
                self.inside = not self.inside
                self.strip = True
                continue
            keep = _partial_suffix(self.buffer, tag)
            emit = self.buffer[: len(self.buffer) - keep]
            if self.inside:
                emit = emit.rstrip("\n")
            if emit:
                out.append((self.inside, emit, self.part))
            self.buffer = self.buffer[len(emit) :]
            return out

    def flush(self) -> list[tuple[bool, str, int]]:
        rest, self.buffer = self.buffer, ""
        return [(self.inside, rest, self.part)] if rest else []


def _partial_suffix(buffer: str, tag: str) -> int:
    for n in range(min(len(tag) - 1, len(buffer)), 0, -1):
        if buffer.endswith(tag[:n]):
            return n
    return 0
